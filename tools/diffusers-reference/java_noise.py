"""ddpm4j's host noise (org.ddpm4j.api.tensor.GaussianNoise) in Python, bit for bit.

Java's SplittableRandom (SplitMix64 with Stafford's mix13) feeding the Marsaglia polar method. With it
a diffusers scheduler can be given exactly the noise a ddpm4j sampler draws, so that stochastic
samplers are compared step by step: a sampler draws row r of the noise of step k from the per-sample
stream ``GaussianNoise.forSample(seed, first_index + r, k)`` (float32, row-major; SampleNoise), which
``step_noise`` returns; ``initial_noise`` is a run's x_T (step ``INITIAL_STEP``).

    /usr/bin/python3 tools/diffusers-reference/java_noise.py ddpm-toolkit/src/test/resources/noise/java_noise.json

writes the fixture that checks this file against the Java classes.
"""
import math

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15
_SAMPLE_DOMAIN = 0x73616D706C65
INITIAL_STEP = -1


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class _SplittableRandom:
    def __init__(self, seed):
        self.seed = seed & _MASK

    def next_long(self):
        self.seed = (self.seed + _GOLDEN_GAMMA) & _MASK
        return _mix64(self.seed)

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53


class GaussianNoise:
    def __init__(self, seed):
        self._random = _SplittableRandom(seed)
        self._spare = None

    @staticmethod
    def for_step(seed, step):
        return GaussianNoise(_mix64((_mix64(seed & _MASK) + _GOLDEN_GAMMA * (step + 1)) & _MASK))

    @staticmethod
    def for_sample(seed, index, step):
        sample = _mix64(((_mix64(seed & _MASK) ^ _SAMPLE_DOMAIN) + _GOLDEN_GAMMA * (index + 1)) & _MASK)
        return GaussianNoise(_mix64((sample + _GOLDEN_GAMMA * (step + 2)) & _MASK))

    def next(self):
        if self._spare is not None:
            value, self._spare = self._spare, None
            return value
        while True:
            u = 2 * self._random.next_double() - 1
            v = 2 * self._random.next_double() - 1
            s = u * u + v * v
            if 0 < s < 1:
                break
        m = math.sqrt(-2 * math.log(s) / s)
        self._spare = v * m
        return u * m

    def next_floats(self, n):
        return np.array([self.next() for _ in range(n)], dtype=np.float32)


def sample_noise(seed, first_index, step, shape):
    """Rows ``first_index ..`` of the per-sample noise at ``step`` (ddpm4j's SampleNoise), float32 values as float64."""
    rows = shape[0]
    length = int(np.prod(shape[1:]))
    out = [GaussianNoise.for_sample(seed, first_index + r, step).next_floats(length) for r in range(rows)]
    return np.concatenate(out).astype(np.float64).reshape(shape) if rows else np.zeros(shape)


def step_noise(seed, step, shape, first_index=0):
    """The standard normal noise a ddpm4j sampler with this seed draws at step ``step`` (float64 array)."""
    return sample_noise(seed, first_index, step, tuple(shape))


def initial_noise(seed, shape, first_index=0):
    """The initial noise x_T ddpm4j draws for samples ``first_index ..`` with this seed (Noise.seeded)."""
    return sample_noise(seed, first_index, INITIAL_STEP, tuple(shape))


if __name__ == "__main__":
    import json
    import sys

    cases = [(0, 0, INITIAL_STEP, [3, 2]), (5, 16, 0, [2, 3]), (-7, 123456789012, 41, [1, 5]),
             (2 ** 63 - 1, 2 ** 62, 999, [2, 1])]
    fixture = {"cases": [{"seed": seed, "first_index": first, "step": step, "shape": shape,
                          "values": sample_noise(seed, first, step, tuple(shape)).ravel().tolist()}
                         for seed, first, step, shape in cases],
               "for_step": {"seed": 9, "step": 4, "values": GaussianNoise.for_step(9, 4).next_floats(3).astype(np.float64).tolist()}}
    with open(sys.argv[1], "w") as f:
        json.dump(fixture, f, indent=1)
