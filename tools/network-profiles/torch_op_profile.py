#!/usr/bin/python3
"""PyTorch's autograd profiler over 7 training steps of bench_torch.py's trainer on the recipe's U-Net
(batch 64, one thread, after 3 warm-up steps), written as a Chrome trace for op_self_times.py:

    /usr/bin/python3 tools/network-profiles/torch_op_profile.py pt-trace.json
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks-reference"))
from bench_torch import RECIPE_UNET, Trainer, alpha_bar  # noqa: E402
from reference import UNet  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.manual_seed(0)
trainer = Trainer(UNet((1, 28, 28), **RECIPE_UNET), alpha_bar())
images, labels = torch.randn(2048, 1, 28, 28), torch.arange(2048) % 10
for _ in range(3):
    trainer.step(images, labels, 64)
with torch.autograd.profiler.profile() as prof:
    start = time.time()
    for _ in range(7):
        trainer.step(images, labels, 64)
    print("7 steps, wall %.1f s" % (time.time() - start))
prof.export_chrome_trace(sys.argv[1])
