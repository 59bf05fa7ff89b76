#!/usr/bin/python3
"""PyTorch's side of TfStepCost.java: process CPU time per forward pass, per 20-step DPM-Solver++ run
and per training step of the recipe's U-Net at batch 64, one thread, after warm-up
(docs/BENCHMARKS.md, "TensorFlow: third pass"):

    /usr/bin/python3 tools/network-profiles/torch_step_cost.py 20 3 20
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks-reference"))
from bench_torch import RECIPE_UNET, Trainer, alpha_bar, dpm_solver_pp  # noqa: E402
from reference import UNet  # noqa: E402


def report(what, n, cpu0, wall0):
    print(f"{what}: {1000 * (time.process_time() - cpu0) / n:.1f} ms CPU, {1000 * (time.perf_counter() - wall0) / n:.1f} ms wall (x{n})")


def main():
    forwards, samplings, steps = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    ab = alpha_bar()
    unet = UNet((1, 28, 28), **RECIPE_UNET)
    x, y = torch.randn(64, 1, 28, 28), torch.arange(64) % 10
    t = torch.full((64,), 500.0, dtype=torch.float64)
    unet.eval()
    with torch.no_grad():
        for _ in range(3):
            unet(x, t, y)
        c, w = time.process_time(), time.perf_counter()
        for _ in range(forwards):
            unet(x, t, y)
        report("forward", forwards, c, w)
    dpm_solver_pp(unet, x, y, 20, ab.tolist())
    c, w = time.process_time(), time.perf_counter()
    for _ in range(samplings):
        dpm_solver_pp(unet, x, y, 20, ab.tolist())
    report("sampling", samplings, c, w)
    unet.train()
    trainer = Trainer(unet, ab)
    images, labels = torch.randn(2048, 1, 28, 28), torch.arange(2048) % 10
    for _ in range(3):
        trainer.step(images, labels, 64)
    c, w = time.process_time(), time.perf_counter()
    for _ in range(steps):
        trainer.step(images, labels, 64)
    report("training step", steps, c, w)


if __name__ == "__main__":
    main()
