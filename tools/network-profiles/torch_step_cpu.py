#!/usr/bin/python3
"""PyTorch's side of StepCpu.java: thread CPU ms of each of the first 24 training steps of fresh recipe
U-Nets (bench_torch.py's trainer, batch 64, one thread). docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)":

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/network-profiles/torch_step_cpu.py 3
"""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks-reference"))
import torch
from bench_torch import RECIPE_UNET, Trainer, alpha_bar
from reference import UNet
torch.set_num_threads(1); torch.set_num_interop_threads(1); torch.manual_seed(0)
images, labels = torch.randn(2048, 1, 28, 28), torch.arange(2048) % 10
for model in range(int(sys.argv[1])):
    tr = Trainer(UNet((1, 28, 28), **RECIPE_UNET), alpha_bar()); out = []
    for _ in range(24):
        c = time.thread_time(); tr.step(images, labels, 64); out.append((time.thread_time() - c) * 1000)
    print(f"model {model}:", " ".join(f"{v:.0f}" for v in out))
