#!/usr/bin/env python3
"""Writes the two moons of `ddpm demo` (Toy2d.MOONS) as a Gaussian mixture for `--denoiser gmm:FILE`.

The moons are a uniform mixture of N(curve(a), 0.06^2 I) over the angle a; 300 evenly spaced angles
per moon (0.017 apart, a third of the noise) make a mixture that no 2,000-point test can tell from
it. Its exact denoiser isolates the sampler's error from the network's.

usage: moons_gmm.py OUT.json
"""
import json
import sys

import numpy as np

K = 300
a = np.pi * (np.arange(K) + 0.5) / K
upper = np.stack([(np.cos(a) - 0.5) * 1.6, (np.sin(a) - 0.25) * 1.6], 1)
lower = np.stack([(1 - np.cos(a) - 0.5) * 1.6, (0.5 - np.sin(a) - 0.25) * 1.6], 1)
means = np.concatenate([upper, lower])
with open(sys.argv[1], "w") as f:
    json.dump({"weights": [1.0] * (2 * K), "means": means.tolist(), "stds": [0.06] * (2 * K)}, f)
