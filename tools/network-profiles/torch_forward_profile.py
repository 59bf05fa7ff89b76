#!/usr/bin/python3
"""PyTorch's counterpart of ForwardOpProfile.java: steady-state forward passes of bench_torch.py's recipe U-Net
(batch 64, labels 0..9 in turn, no gradients, THREADS threads, default 1, after 5 warm-up passes), the median
wall time and the minor page faults per pass, then the same passes under the autograd profiler: a Chrome trace for op_self_times.py and the
20 largest self times per op and input shape.

    OPENBLAS_NUM_THREADS=<THREADS> /usr/bin/python3 tools/network-profiles/torch_forward_profile.py 20 pt-forward.json [THREADS]
"""
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "networks-reference"))
from bench_torch import RECIPE_UNET  # noqa: E402
from reference import UNet  # noqa: E402

threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)
passes = int(sys.argv[1])
unet = UNet((1, 28, 28), **RECIPE_UNET).eval()
x, y = torch.randn(64, 1, 28, 28), torch.arange(64) % 10
t = torch.full((64,), 500.0, dtype=torch.float64)
with torch.no_grad():
    for _ in range(5):
        unet(x, t, y)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    millis = []
    for _ in range(passes):
        start = time.perf_counter()
        unet(x, t, y)
        millis.append(1000 * (time.perf_counter() - start))
    millis.sort()
    print("threads %d, unprofiled: median %.1f ms/pass (min %.1f), %d minor faults/pass" % (threads, millis[passes // 2],
          millis[0], (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) // passes))
    with torch.autograd.profiler.profile(record_shapes=True) as prof:
        start = time.perf_counter()
        for _ in range(passes):
            unet(x, t, y)
        print("profiled: %.1f ms/pass" % (1000 * (time.perf_counter() - start) / passes))
prof.export_chrome_trace(sys.argv[2])
for e in sorted(prof.key_averages(group_by_input_shape=True), key=lambda e: -e.self_cpu_time_total)[:20]:
    print("%8.1f ms %5d  %s %s" % (e.self_cpu_time_total / 1000, e.count, e.key, str(e.input_shapes)[:100]))
