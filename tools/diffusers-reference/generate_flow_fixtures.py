"""Writes the flow-matching fixtures of ddpm-samplers by running diffusers' own FlowMatch schedulers.

The model is the exact flow model of a 2-D Gaussian mixture in diffusers' convention
(``x_sigma = (1 - sigma) x_0 + sigma eps``, the model predicts ``eps - x_0`` at
``timestep = sigma * num_train_timesteps``), written here in numpy independently of ddpm4j. Each case
records diffusers' sigmas, the timesteps the model was called at and the final samples from a fixed
noise; stochastic sampling gets at step k the noise a ddpm4j sampler with seed SEED draws at step k
(java_noise.py).

    PYTHONPATH=tools/diffusers-reference:/work/diffusers-src/src /usr/bin/python3 \
        tools/diffusers-reference/generate_flow_fixtures.py ddpm-samplers/src/test/resources/diffusers/flow_loops.json
"""
import json
import sys

import numpy as np
import torch

import diffusers_offline  # noqa: F401  (must come before diffusers)
from diffusers import FlowMatchEulerDiscreteScheduler, FlowMatchHeunDiscreteScheduler  # noqa: E402

from generate_schedule_tables import source_commit  # noqa: E402
from java_noise import step_noise  # noqa: E402

SEED = 77
WEIGHTS = np.array([0.5, 0.3, 0.2])
MEANS = np.array([[-1.5, 0.5], [1.0, 1.0], [0.5, -1.5]])
STDS = np.array([0.3, 0.5, 0.4])


def velocity(x, sigma):
    """E[eps - x_0 | x_sigma] for x_sigma = (1 - sigma) x_0 + sigma eps, x_0 from the mixture."""
    a, b = 1.0 - sigma, sigma
    v = a * a * STDS ** 2 + b * b                                    # per-component variance [k]
    r = x[:, None, :] - a * MEANS[None, :, :]                        # [n, k, d]
    logw = np.log(WEIGHTS)[None, :] - 0.5 * x.shape[1] * np.log(2 * np.pi * v)[None, :] - (r ** 2).sum(-1) / (2 * v)[None, :]
    w = np.exp(logw - logw.max(1, keepdims=True))
    w /= w.sum(1, keepdims=True)
    eps = (w[:, :, None] * (b / v)[None, :, None] * r).sum(1)
    x0 = (w[:, :, None] * (MEANS[None] + (a * STDS ** 2 / v)[None, :, None] * r)).sum(1)
    return eps - x0


CASES = [
    dict(name="euler", cls="FlowMatchEulerDiscreteScheduler", config={}, steps=10),
    dict(name="euler-shift3", cls="FlowMatchEulerDiscreteScheduler", config={"shift": 3.0}, steps=10),
    dict(name="euler-dynamic-exponential", cls="FlowMatchEulerDiscreteScheduler",
         config={"use_dynamic_shifting": True, "base_shift": 0.5, "max_shift": 1.15}, steps=8, mu=0.8),
    dict(name="euler-dynamic-linear", cls="FlowMatchEulerDiscreteScheduler",
         config={"use_dynamic_shifting": True, "time_shift_type": "linear"}, steps=8, mu=2.5),
    dict(name="euler-shift-terminal", cls="FlowMatchEulerDiscreteScheduler", config={"shift": 3.0, "shift_terminal": 0.1}, steps=10),
    dict(name="euler-karras", cls="FlowMatchEulerDiscreteScheduler", config={"use_karras_sigmas": True}, steps=10),
    dict(name="euler-exponential", cls="FlowMatchEulerDiscreteScheduler", config={"use_exponential_sigmas": True}, steps=10),
    dict(name="euler-beta", cls="FlowMatchEulerDiscreteScheduler", config={"use_beta_sigmas": True}, steps=10),
    dict(name="euler-invert", cls="FlowMatchEulerDiscreteScheduler", config={"invert_sigmas": True}, steps=6),
    dict(name="euler-stochastic", cls="FlowMatchEulerDiscreteScheduler", config={"stochastic_sampling": True, "shift": 2.0}, steps=10),
    dict(name="euler-1000", cls="FlowMatchEulerDiscreteScheduler", config={"num_train_timesteps": 500, "shift": 1.5}, steps=1),
    dict(name="euler-custom-sigmas", cls="FlowMatchEulerDiscreteScheduler", config={"shift": 2.0}, steps=4,
         sigmas=[1.0, 0.75, 0.5, 0.25]),
    dict(name="heun", cls="FlowMatchHeunDiscreteScheduler", config={}, steps=8),
    dict(name="heun-shift3", cls="FlowMatchHeunDiscreteScheduler", config={"shift": 3.0}, steps=8),
]


def run(spec, noise):
    cls = {"FlowMatchEulerDiscreteScheduler": FlowMatchEulerDiscreteScheduler,
           "FlowMatchHeunDiscreteScheduler": FlowMatchHeunDiscreteScheduler}[spec["cls"]]
    scheduler = cls(**spec["config"])
    if "sigmas" in spec:
        scheduler.set_timesteps(spec["steps"], sigmas=spec["sigmas"])
    elif "mu" in spec:
        scheduler.set_timesteps(spec["steps"], mu=spec["mu"])
    else:
        scheduler.set_timesteps(spec["steps"])
    module = sys.modules[type(scheduler).__module__]
    step = [0]
    module.randn_tensor = lambda shape, **kw: torch.from_numpy(step_noise(SEED, step[0], tuple(shape))).to(kw.get("dtype") or torch.float64)
    n_train = scheduler.config.num_train_timesteps
    sample = torch.from_numpy(noise.copy())
    calls = []
    for t in scheduler.timesteps:
        calls.append(float(t))
        out = torch.from_numpy(velocity(sample.double().numpy(), float(t) / n_train))
        sample = scheduler.step(out, t, sample).prev_sample
        if spec["cls"] == "FlowMatchEulerDiscreteScheduler" or scheduler.state_in_first_order:
            step[0] += 1
    config = dict(spec["config"], _class_name=spec["cls"])
    return dict(name=spec["name"], config=config, steps=spec["steps"], mu=spec.get("mu"), custom_sigmas=spec.get("sigmas"),
                sigmas=[float(s) for s in scheduler.sigmas], calls=calls, samples=sample.double().numpy().tolist())


def main(out_file):
    noise = np.random.RandomState(0).standard_normal((8, 2))
    import diffusers
    out = dict(generated_by="tools/diffusers-reference/generate_flow_fixtures.py with diffusers %s, %s, torch %s"
               % (diffusers.__version__, source_commit(), torch.__version__), seed=SEED,
               mixture=dict(weights=WEIGHTS.tolist(), means=MEANS.tolist(), stds=STDS.tolist()),
               noise=noise.tolist(), cases=[run(spec, noise) for spec in CASES])
    with open(out_file, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
