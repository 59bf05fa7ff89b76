"""Writes ddpm-samplers' learned-variance fixture by running diffusers' own DDPMScheduler.

The model is the exact noise predictor of a 2-D Gaussian mixture (the function of ddpm4j's
GaussianMixtureDenoiser, as in generate_published_config_fixtures.py) with known variance
channels appended along dimension 1, as a learned-variance UNet lays them out ([n, 2C]):

* ``learned_range``: the interpolation ``v(x, t) = 0.9 tanh(x) cos(pi t / T)`` (element-wise);
* ``learned``: the variance ``0.02 (1 + x^2) (t + 1) / T`` (diffusers reads these channels as the
  variance itself).

DDPMScheduler.step splits the output, draws at step k exactly the noise ddpm4j's sampler draws
with seed ``SEED`` (java_noise.py), and runs with every float32 replaced by float64. The initial
noise is stored in the fixture.

    PYTHONPATH=tools/diffusers-reference:/work/diffusers-src/src /usr/bin/python3 \
        tools/diffusers-reference/generate_learned_variance_fixtures.py ddpm-samplers/src/test/resources/diffusers/learned_variance.json
"""
import json
import sys

import numpy as np
import torch

from generate_published_config_fixtures import FLOAT32, Mixture  # sets float64 and imports diffusers offline
import diffusers
from diffusers import DDPMScheduler
from generate_schedule_tables import source_commit
from java_noise import step_noise

SEED = 7
MIXTURE = {"weights": [0.5, 0.3, 0.2], "means": [[-1.5, 0.5], [1.0, 1.0], [0.5, -1.5]], "stds": [0.3, 0.5, 0.4]}
CONFIG = {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
          "clip_sample": False, "prediction_type": "epsilon"}


def mixture():
    m = Mixture.__new__(Mixture)
    m.w = np.array(MIXTURE["weights"], dtype=np.float64) / np.sum(MIXTURE["weights"])
    m.mu = np.array(MIXTURE["means"], dtype=np.float64)
    m.s = np.array(MIXTURE["stds"], dtype=np.float64)
    return m


def variance_channels(kind, x, t, train_steps):
    if kind == "learned_range":
        return 0.9 * np.tanh(x) * np.cos(np.pi * t / train_steps)
    return 0.02 * (1 + x * x) * (t + 1) / train_steps


def run(kind, steps, noise):
    scheduler = DDPMScheduler(**CONFIG, variance_type=kind)
    scheduler.set_timesteps(steps)
    table = np.sqrt((1 - scheduler.alphas_cumprod.numpy()) / scheduler.alphas_cumprod.numpy())
    gmm = mixture()
    module = sys.modules[type(scheduler).__module__]
    step = [0]
    module.randn_tensor = lambda shape, **kw: torch.from_numpy(step_noise(SEED, step[0], tuple(shape)).astype(FLOAT32).astype(np.float64))
    x = torch.from_numpy(noise)
    calls = []
    for t in scheduler.timesteps:
        calls.append(int(t))
        xs = x.numpy()
        eps, _, _ = gmm.eps(xs, table[int(t)])
        out = np.concatenate([eps, variance_channels(kind, xs, int(t), CONFIG["num_train_timesteps"])], axis=1)
        x = scheduler.step(torch.from_numpy(out), t, x).prev_sample
        step[0] += 1
    return x.numpy(), calls


def main(path):
    noise = np.random.default_rng(15).standard_normal((8, 2)).astype(FLOAT32).astype(np.float64)
    cases = []
    for kind in ("learned_range", "learned"):
        for steps in (10, 50):
            samples, calls = run(kind, steps, noise)
            cases.append({"variance_type": kind, "steps": steps, "calls": calls, "samples": samples.tolist()})
    fixture = {
        "generated_by": "tools/diffusers-reference/generate_learned_variance_fixtures.py with diffusers " + diffusers.__version__
                        + ", " + source_commit() + ", torch " + torch.__version__ + ", float64",
        "scheduler": dict(CONFIG, _class_name="DDPMScheduler"), "mixture": MIXTURE, "seed": SEED,
        "noise": noise.tolist(), "cases": cases}
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
