"""Runs diffusers' schedulers on the analytic Gaussian-mixture problem of `ddpm bench samplers`.

The model is the exact noise predictor of the mixture (a few lines of numpy below, the same
function as ddpm4j's GaussianMixtureDenoiser) on the linear schedule (1e-4 .. 0.02, T = 1000)
computed in float64; diffusers' schedulers run as shipped (float32). Each scheduler is configured to
stop at sigma_min (Heun and LMS cannot, so they are left out; nor can Karras or log-SNR sigmas: their
last sigma is sigma_min already, a step of length 0 that turns DPM-Solver's higher orders into NaN) and starts from the noise that
`ddpm bench samplers --write-noise` wrote. The endpoints go to a JSON file that
`ddpm bench samplers --diffusers FILE` scores against the exact probability-flow ODE endpoint.

    ./ddpm bench samplers --denoiser gmm:docs/benchmarks/gmm-2d.json --write-noise /tmp/noise.npy
    PYTHONPATH=tools/diffusers-reference:/path/to/diffusers/src /usr/bin/python3 \
        tools/diffusers-reference/benchmark_diffusers_samplers.py docs/benchmarks/gmm-2d.json /tmp/noise.npy \
        docs/benchmarks/diffusers-samplers.json
"""
import json
import os
import sys

import numpy as np
import torch

import diffusers_offline  # noqa: F401  (must come before diffusers)
import diffusers
from diffusers import (DDIMScheduler, DPMSolverMultistepScheduler, DPMSolverSinglestepScheduler, EulerDiscreteScheduler,
                       PNDMScheduler, UniPCMultistepScheduler)

T = 1000
LINEAR = {"num_train_timesteps": T, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear"}
ALPHA_BAR = np.cumprod(1 - np.linspace(0.0001, 0.02, T))
SIGMA = np.sqrt((1 - ALPHA_BAR) / ALPHA_BAR)


class Mixture:
    def __init__(self, path):
        spec = json.load(open(path))
        self.w = np.array(spec["weights"], dtype=np.float64) / np.sum(spec["weights"])
        self.mu = np.array(spec["means"], dtype=np.float64)
        self.s = np.array(spec["stds"], dtype=np.float64)

    def eps(self, x, t):
        """E[eps | x_t] for x_t = alpha x_0 + sigma eps; sigma interpolated linearly between training steps."""
        ve = np.interp(t, np.arange(T), SIGMA)
        alpha_bar = 1 / (1 + ve * ve)
        alpha, sigma = np.sqrt(alpha_bar), np.sqrt(1 - alpha_bar)
        v = alpha ** 2 * self.s ** 2 + sigma ** 2                       # [K]
        diff = x[:, None, :] - alpha * self.mu[None, :, :]              # [n, K, d]
        log = np.log(self.w) - 0.5 * x.shape[1] * np.log(2 * np.pi * v) - (diff ** 2).sum(-1) / (2 * v)
        r = np.exp(log - log.max(1, keepdims=True))
        r /= r.sum(1, keepdims=True)
        return sigma * (r[:, :, None] * diff / v[None, :, None]).sum(1)


def quadratic(n):
    """Times evenly spaced in sqrt(t) from T - 1 to 0, the first n, rounded (diffusers takes integer timesteps),
    at least 1 and descending: a last timestep 0 would be sigma_min itself, a step of length 0."""
    t = []
    for k in range(n):
        value = max(1, int(round((T - 1) * (1 - k / n) ** 2)))
        t.append(min(value, t[-1] - 1) if t else value)
    return t


def configurations():
    for n in (10, 25, 50):
        yield DDIMScheduler, dict(LINEAR, timestep_spacing="trailing", set_alpha_to_one=False, clip_sample=False), n, None
        yield PNDMScheduler, dict(LINEAR, timestep_spacing="trailing"), n, None
        yield PNDMScheduler, dict(LINEAR, timestep_spacing="trailing", skip_prk_steps=True), n, None
        yield EulerDiscreteScheduler, dict(LINEAR, timestep_spacing="trailing", final_sigmas_type="sigma_min"), n, None
        for order in (2, 3):
            yield DPMSolverMultistepScheduler, dict(LINEAR, solver_order=order, final_sigmas_type="sigma_min"), n, None
            yield DPMSolverMultistepScheduler, dict(LINEAR, solver_order=order, final_sigmas_type="sigma_min"), n, quadratic(n)
            yield UniPCMultistepScheduler, dict(LINEAR, solver_order=order, final_sigmas_type="sigma_min"), n, None
        yield DPMSolverSinglestepScheduler, dict(LINEAR, solver_order=3, final_sigmas_type="sigma_min"), n, None


def run(cls, config, n, timesteps, mixture, noise):
    scheduler = cls(**config)
    if timesteps is None:
        scheduler.set_timesteps(n)
    else:
        scheduler.set_timesteps(timesteps=timesteps)
    x = torch.from_numpy(noise).float() * scheduler.init_noise_sigma
    calls = 0
    for t in scheduler.timesteps:
        model_input = scheduler.scale_model_input(x, t)
        out = torch.from_numpy(mixture.eps(model_input.double().numpy(), float(t))).float()
        calls += 1
        x = scheduler.step(out, t, x).prev_sample
    if cls is EulerDiscreteScheduler:  # its sample is x_t / alpha_t; report x_t like the others
        x = x / float((scheduler.sigmas[-1] ** 2 + 1) ** 0.5)
    return x.double().numpy(), calls


def main(mixture_file, noise_file, out_file):
    mixture = Mixture(mixture_file)
    noise = np.load(noise_file)
    runs = []
    for cls, config, n, timesteps in configurations():
        samples, calls = run(cls, config, n, timesteps, mixture, noise)
        runs.append({"config": dict({"_class_name": cls.__name__}, **config), "steps": n, "timesteps": timesteps,
                     "timesteps_label": None if timesteps is None else "quadratic (rounded)",
                     "evaluations": calls, "samples": [[float("%.9g" % v) for v in row] for row in samples]})
        print(cls.__name__, config, n, "custom" if timesteps else "", calls)
    commit = os.environ.get("DIFFUSERS_COMMIT", "unknown commit")
    with open(out_file, "w") as f:
        json.dump({"generated_by": "tools/diffusers-reference/benchmark_diffusers_samplers.py, diffusers " + diffusers.__version__
                   + " (" + commit + "), torch " + torch.__version__ + ", float32", "runs": runs}, f)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
