"""Checks a folder written by `ddpm export --format diffusers` with diffusers' own model and scheduler code.

    python3 check_export.py EXPORTED NOISE.npy JAVA_OUT.npy STEPS

builds diffusers' UNet2DModel from EXPORTED/unet/config.json (UNet2DModel.from_config, as
from_pretrained does), loads EXPORTED/unet/diffusion_pytorch_model.safetensors into it with
load_state_dict(strict=True) (every name and shape must match diffusers'; the file is read with numpy,
since the safetensors package is not packaged for Debian), loads EXPORTED/scheduler/scheduler_config.json
with DDPMScheduler.from_config and swaps it to DDIMScheduler.from_config, runs DDIMPipeline's loop
(eta 0) from NOISE for STEPS steps and prints the largest difference from JAVA_OUT, the output of
`ddpm sample --pretrained EXPORTED --sampler ddim --steps STEPS --init-noise NOISE --out JAVA_OUT`.
Run with Debian's python3-torch (see diffusers_models_offline.py).
"""
import json
import os
import struct
import sys

import numpy as np
import torch

import diffusers_models_offline  # noqa: F401  (must come before diffusers)
from diffusers import DDIMScheduler, DDPMScheduler  # noqa: E402
from diffusers.models.unets.unet_2d import UNet2DModel  # noqa: E402
from make_unet_fixtures import ddim_loop  # noqa: E402

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).astype(np.float32))
    return out


def main():
    folder, noise_file, java_file, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(os.path.join(folder, "model_index.json")) as f:
        print("model_index.json:", json.load(f))
    with open(os.path.join(folder, "unet", "config.json")) as f:
        config = json.load(f)
    model = UNet2DModel.from_config(config).eval()
    missing, unexpected = model.load_state_dict(read_safetensors(os.path.join(folder, "unet", "diffusion_pytorch_model.safetensors")),
                                                strict=True)
    print("UNet2DModel:", sum(p.numel() for p in model.parameters()), "parameters; missing", missing, "unexpected", unexpected)
    with open(os.path.join(folder, "scheduler", "scheduler_config.json")) as f:
        scheduler_config = json.load(f)
    ddpm = DDPMScheduler.from_config(scheduler_config)
    print("DDPMScheduler:", ddpm.config.beta_schedule, ddpm.config.num_train_timesteps, ddpm.config.prediction_type)
    noise = np.load(noise_file).astype(np.float32)
    with torch.no_grad():
        final = ddim_loop(model, ddpm.config, noise, None, steps)
    java = np.load(java_file)
    print(f"{steps}-step DDIM, diffusers vs ddpm4j: max |difference| {np.abs(final - java).max():.3e}, "
          f"mean |sample| {np.abs(final).mean():.3f}")


if __name__ == "__main__":
    main()
