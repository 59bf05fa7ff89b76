"""Writes diffusers' noise-schedule tables as JSON test fixtures for ddpm-schedules.

Runs diffusers' own DDPMScheduler (not a re-implementation), so the fixtures hold exactly what
diffusers computes (in float32):

    apt-get install python3-torch python3-packaging python3-filelock python3-requests \
                    python3-regex python3-importlib-metadata python3-tqdm python3-pil
    DIFFUSERS_COMMIT=<commit> PYTHONPATH=tools/diffusers-reference:/path/to/diffusers/src /usr/bin/python3 \
        tools/diffusers-reference/generate_schedule_tables.py \
        ddpm-schedules/src/test/resources/diffusers
"""
import json
import os
import subprocess
import sys

import diffusers_offline  # noqa: F401  (must come before diffusers)
import diffusers
from diffusers import DDPMScheduler

CASES = [
    ("linear", dict(beta_schedule="linear")),
    ("scaled_linear", dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)),
    ("squaredcos_cap_v2", dict(beta_schedule="squaredcos_cap_v2")),
    ("sigmoid", dict(beta_schedule="sigmoid")),
    ("linear_zero_snr", dict(beta_schedule="linear", rescale_betas_zero_snr=True)),
    ("scaled_linear_zero_snr", dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                                    rescale_betas_zero_snr=True)),
    ("linear_t50", dict(beta_schedule="linear", num_train_timesteps=50, beta_start=0.001, beta_end=0.05)),
    ("trained_betas", dict(trained_betas=[0.001 * (1 + i) for i in range(20)], num_train_timesteps=20)),
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, kwargs in CASES:
        scheduler = DDPMScheduler(**kwargs)
        config = {k: v for k, v in dict(scheduler.config).items() if not k.startswith("_")}
        fixture = {
            "generated_by": "diffusers " + diffusers.__version__ + " DDPMScheduler, " + source_commit(),
            "config": config,
            "betas": [float("%.9g" % v) for v in scheduler.betas.tolist()],
            "alphas_cumprod": [float("%.9g" % v) for v in scheduler.alphas_cumprod.tolist()],
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(fixture, f)
        print(name, len(fixture["betas"]), fixture["alphas_cumprod"][-1])


def source_commit():
    if os.environ.get("DIFFUSERS_COMMIT"):
        return "source commit " + os.environ["DIFFUSERS_COMMIT"]
    try:
        src = os.path.dirname(os.path.dirname(diffusers.__file__))
        return "source commit " + subprocess.check_output(["git", "-C", src, "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return "source " + os.path.dirname(diffusers.__file__)


if __name__ == "__main__":
    main(sys.argv[1])
