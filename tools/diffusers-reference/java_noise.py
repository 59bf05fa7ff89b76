"""ddpm4j's host noise (org.ddpm4j.api.tensor.GaussianNoise) in Python, bit for bit.

Java's SplittableRandom (SplitMix64 with Stafford's mix13) feeding the Marsaglia polar method. With it
a diffusers scheduler can be given exactly the noise a ddpm4j sampler draws, so that stochastic
samplers are compared step by step: a sampler draws the noise of step k as
``GaussianNoise.forStep(seed, k).nextFloats(n)`` (float32, row-major), which ``step_noise`` returns.
"""
import math

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15


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


def step_noise(seed, step, shape):
    """The standard normal noise a ddpm4j sampler with this seed draws at step ``step`` (float64 array)."""
    n = int(np.prod(shape))
    return GaussianNoise.for_step(seed, step).next_floats(n).astype(np.float64).reshape(shape)
