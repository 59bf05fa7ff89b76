"""PyTorch side of `ddpm bench pretrained`: one DDIM step (UNet2DModel forward + DDIMScheduler.step) at
the same batch on a diffusers folder, with diffusers' own model code on Debian's torch, and the time to
load the folder (numpy safetensors reader, load_state_dict).

    PYTHONPATH=tools/diffusers-reference /usr/bin/python3 tools/diffusers-reference/bench_unet_torch.py \
        /tmp/cifar10-shaped --batch 16 --threads 2 --repeats 5
"""
import argparse
import json
import os
import statistics
import struct
import time

import numpy as np
import torch

import diffusers_models_offline  # noqa: F401
from diffusers import DDIMScheduler  # noqa: E402
from diffusers.models.unets.unet_2d import UNet2DModel  # noqa: E402

DT = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[b:e], dtype=DT[v["dtype"]]).reshape(v["shape"]).astype(np.float32))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    unet = a.folder if not os.path.isdir(os.path.join(a.folder, "unet")) else os.path.join(a.folder, "unet")
    sched = a.folder if not os.path.isdir(os.path.join(a.folder, "scheduler")) else os.path.join(a.folder, "scheduler")
    t0 = time.perf_counter()
    config = {k: v for k, v in json.load(open(os.path.join(unet, "config.json"))).items() if not k.startswith("_")}
    model = UNet2DModel(**config).eval()
    model.load_state_dict(read_safetensors(os.path.join(unet, "diffusion_pytorch_model.safetensors")))
    load = time.perf_counter() - t0
    scheduler = DDIMScheduler.from_config(json.load(open(os.path.join(sched, "scheduler_config.json"))))
    scheduler.set_timesteps(a.repeats + 1)
    c, s = config["in_channels"], config["sample_size"]
    x = torch.randn(a.batch, c, s, s)
    times = []
    with torch.no_grad():
        for i, t in enumerate(scheduler.timesteps):
            start = time.perf_counter()
            eps = model(x, t).sample
            x = scheduler.step(eps, t, x).prev_sample
            if i > 0:
                times.append((time.perf_counter() - start) * 1e3)
    params = sum(p.numel() for p in model.parameters())
    print(f"| pytorch {torch.__version__} | {load:.2f} | - | {params:,} | {statistics.median(times):.1f} |")


if __name__ == "__main__":
    main()
