#!/usr/bin/python3
"""CPU time per thread of bench_torch.py's training steps at torch.set_num_threads(1): the MLP (batch 256)
and the recipe U-Net (batch 64), after 5 warm-up steps, main thread against the others (OpenBLAS's
workers, which torch.set_num_threads does not limit). docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)":

    /usr/bin/python3 tools/network-profiles/torch_thread_cpu.py 1000 20
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/network-profiles/torch_thread_cpu.py 1000 20
"""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks-reference"))
import torch
from bench_torch import RECIPE_UNET, Trainer, alpha_bar
from reference import Mlp, UNet
torch.set_num_threads(1); torch.set_num_interop_threads(1); torch.manual_seed(0)
def per_thread():
    out = {}
    for t in os.listdir('/proc/self/task'):
        f = open(f'/proc/self/task/{t}/stat').read().rsplit(')', 1)[1].split()
        out[int(t)] = (int(f[11]) + int(f[12])) * 10  # ms (100 Hz ticks)
    return out
def run(name, trainer, data, labels, batch, n):
    for _ in range(5): trainer.step(data, labels, batch)
    a = per_thread(); w = time.perf_counter()
    for _ in range(n): trainer.step(data, labels, batch)
    b = per_thread(); wall = (time.perf_counter() - w) * 1000 / n
    main = os.getpid()
    d = {t: (b[t] - a.get(t, 0)) / n for t in b}
    print(f"{name} OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}: wall {wall:.2f} ms/step, main thread {d[main]:.2f} ms/step CPU, other threads {sum(v for t, v in d.items() if t != main):.2f}")
ab = alpha_bar()
run("mlp", Trainer(Mlp(2), ab), torch.randn(2048, 2), None, 256, int(sys.argv[1]))
run("unet", Trainer(UNet((1, 28, 28), **RECIPE_UNET), ab), torch.randn(2048, 1, 28, 28), torch.arange(2048) % 10, 64, int(sys.argv[2]))
