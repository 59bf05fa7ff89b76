"""Runs every scheduler_config.json under a folder through diffusers' own scheduler code.

Each sub-folder of ``DIR/published`` holds one ``scheduler_config.json`` exactly as a public model
repository publishes it (see ``DIR/SOURCES``); ``DIR/derived`` holds configurations written for the
tests from published ones (keys no published file here carries, such as ``timestep_type: continuous``). diffusers loads it the way ``SchedulerClass.from_config`` does
(keys of other classes and versions ignored, ``null`` meaning the default; a Flax class name loads
the PyTorch class of the same name, as ``DiffusionPipeline`` does when no Flax is installed) and
samples the analytic Gaussian mixture ``DIR/mixture.json`` from the stored noise ``DIR/noise.npy``:

    x = noise * init_noise_sigma
    for t in timesteps: x = step(model(scale_model_input(x, t), t), t, x)

The model is the exact noise predictor of the mixture on the configuration's own schedule (the same
function as ddpm4j's GaussianMixtureDenoiser, sigma interpolated linearly between training steps;
for ``timestep_type: continuous`` the model time is ``0.25 ln sigma``), converted to the
configuration's ``prediction_type``. For the FlowMatch classes it is the exact flow model of the
mixture in diffusers' convention (``x_s = (1 - s) x_0 + s eps`` at ``timestep = s * num_train_timesteps``,
predicting ``eps - x_0``). Stochastic schedulers (DDPM, Euler ancestral) get at step k the
noise ddpm4j's sampler draws at step k with seed ``SEED`` (java_noise.py). diffusers runs with every
float32 replaced by float64 (as generate_sampler_fixtures.py --float64 does), so the comparison can
be made at 1e-5 and below. Writes ``expected.json`` next to each configuration.

    PYTHONPATH=tools/diffusers-reference:/work/diffusers-src/src /usr/bin/python3 \
        tools/diffusers-reference/generate_published_config_fixtures.py ddpm-examples/src/test/resources/diffusers-configs
"""
import json
import os
import sys

import numpy as np
import torch

# ddpm4j draws its noise as float32; keep the real type to round java_noise's values to it.
FLOAT32 = np.float32
# diffusers hard-codes float32 for its tables and upcasts; redirect the names to float64.
torch.set_default_dtype(torch.float64)
torch.float32 = torch.float64
np.float32 = np.float64

import diffusers_offline  # noqa: E402,F401  (must come before diffusers)
import scipy_quad_stub  # noqa: E402,F401  (LMSDiscreteScheduler integrates with scipy)
import diffusers  # noqa: E402

from generate_schedule_tables import source_commit  # noqa: E402
from java_noise import step_noise  # noqa: E402

STEPS = (10, 25)
# ddpm sample --seed 0 gives a stochastic sampler the seed 0 + 1.
SEED = 1
STOCHASTIC = ("DDPMScheduler", "EulerAncestralDiscreteScheduler")


class Mixture:
    def __init__(self, path):
        spec = json.load(open(path))
        self.w = np.array(spec["weights"], dtype=np.float64) / np.sum(spec["weights"])
        self.mu = np.array(spec["means"], dtype=np.float64)
        self.s = np.array(spec["stds"], dtype=np.float64)

    def eps(self, x, ve):
        """E[eps | x_t] for x_t = alpha x_0 + sigma eps at the variance-exploding noise level ve = sigma / alpha."""
        alpha_bar = 1 / (1 + ve * ve)
        alpha, sigma = np.sqrt(alpha_bar), np.sqrt(1 - alpha_bar)
        v = alpha ** 2 * self.s ** 2 + sigma ** 2
        diff = x[:, None, :] - alpha * self.mu[None, :, :]
        log = np.log(self.w) - 0.5 * x.shape[1] * np.log(2 * np.pi * v) - (diff ** 2).sum(-1) / (2 * v)
        r = np.exp(log - log.max(1, keepdims=True))
        r /= r.sum(1, keepdims=True)
        eps = sigma * (r[:, :, None] * diff / v[None, :, None]).sum(1)
        return eps, alpha, sigma


    def velocity(self, x, s):
        """E[eps - x_0 | x_s] for x_s = (1 - s) x_0 + s eps."""
        a, b = 1.0 - s, s
        v = a * a * self.s ** 2 + b * b
        diff = x[:, None, :] - a * self.mu[None, :, :]
        log = np.log(self.w) - 0.5 * x.shape[1] * np.log(2 * np.pi * v) - (diff ** 2).sum(-1) / (2 * v)
        r = np.exp(log - log.max(1, keepdims=True))
        r /= r.sum(1, keepdims=True)
        eps = b * (r[:, :, None] * diff / v[None, :, None]).sum(1)
        x0 = (r[:, :, None] * (self.mu[None] + (a * self.s ** 2 / v)[None, :, None] * diff)).sum(1)
        return eps - x0


def run_flow(config, steps, mixture, noise):
    scheduler = scheduler_class(config["_class_name"]).from_config(config)
    scheduler.set_timesteps(steps)
    n_train = scheduler.config.num_train_timesteps
    calls = []
    x = torch.from_numpy(noise)
    for t in scheduler.timesteps:
        calls.append(float(t))
        x = scheduler.step(torch.from_numpy(mixture.velocity(x.numpy(), float(t) / n_train)), t, x).prev_sample
    return x.numpy(), calls


def scheduler_class(name):
    return getattr(diffusers, name[len("Flax"):] if name.startswith("Flax") else name)


def run(config, steps, mixture, noise):
    cls = scheduler_class(config["_class_name"])
    scheduler = cls.from_config(config)
    scheduler.set_timesteps(steps)
    table = np.sqrt((1 - scheduler.alphas_cumprod.numpy()) / scheduler.alphas_cumprod.numpy())
    continuous = getattr(scheduler.config, "timestep_type", "discrete") == "continuous" \
        and scheduler.config.prediction_type == "v_prediction"
    prediction = scheduler.config.prediction_type
    calls = []

    def model(x, t):
        calls.append(float(t))
        ve = np.exp(4 * float(t)) if continuous else np.interp(float(t), np.arange(len(table)), table)
        xs = x.numpy()
        eps, alpha, sigma = mixture.eps(xs, ve)
        if prediction == "epsilon":
            out = eps
        elif prediction == "v_prediction":
            out = alpha * eps - sigma * (xs - sigma * eps) / alpha
        else:
            raise SystemExit("prediction_type %s is not produced by this harness" % prediction)
        return torch.from_numpy(out)

    module = sys.modules[type(scheduler).__module__]
    step = [0]
    module.randn_tensor = lambda shape, **kw: torch.from_numpy(step_noise(SEED, step[0], tuple(shape)).astype(FLOAT32).astype(np.float64))
    x = torch.from_numpy(noise) * scheduler.init_noise_sigma
    for t in scheduler.timesteps:
        x = scheduler.step(model(scheduler.scale_model_input(x, t), t), t, x).prev_sample
        step[0] += 1
    return x.numpy(), calls


def main(folder):
    mixture = Mixture(os.path.join(folder, "mixture.json"))
    noise = np.load(os.path.join(folder, "noise.npy")).astype(np.float64)
    generated_by = ("tools/diffusers-reference/generate_published_config_fixtures.py with diffusers " + diffusers.__version__
                    + ", " + source_commit() + ", torch " + torch.__version__ + ", float64")
    names = [os.path.join(kind, name) for kind in ("published", "derived") for name in sorted(os.listdir(os.path.join(folder, kind)))]
    for name in names:
        path = os.path.join(folder, name, "scheduler_config.json")
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            config = json.load(f)
        flow = config["_class_name"].startswith("FlowMatch")
        runs = {}
        for steps in STEPS:
            samples, calls = (run_flow if flow else run)(config, steps, mixture, noise)
            runs[str(steps)] = {"calls": calls, "samples": samples.tolist()}
        loaded = scheduler_class(config["_class_name"]).__name__
        expected = {"generated_by": generated_by, "class": loaded, "seed": SEED - 1 if loaded in STOCHASTIC else None, "runs": runs}
        with open(os.path.join(folder, name, "expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print("%-32s %-34s %s" % (name, config["_class_name"], " ".join("%d: %d calls" % (s, len(runs[str(s)]["calls"])) for s in STEPS)))


if __name__ == "__main__":
    main(sys.argv[1])
