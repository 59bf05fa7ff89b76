#!/usr/bin/env python3
"""Writes a random isotropic Gaussian mixture (the `gmm:` denoiser's JSON) from a seed.

usage: make_mixture.py OUT.json --seed S --dim D --components K --spread R --std-range LO HI

Means are uniform in [-R, R]^D, stds log-uniform in [LO, HI], weights Dirichlet(1). Nothing is
chosen per problem by hand beyond these generator arguments (kept with the command in docs).
"""
import argparse
import json

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--seed", type=int, required=True)
p.add_argument("--dim", type=int, required=True)
p.add_argument("--components", type=int, required=True)
p.add_argument("--spread", type=float, required=True)
p.add_argument("--std-range", type=float, nargs=2, required=True)
a = p.parse_args()
rng = np.random.default_rng(a.seed)
weights = rng.dirichlet(np.ones(a.components))
means = rng.uniform(-a.spread, a.spread, size=(a.components, a.dim))
stds = np.exp(rng.uniform(np.log(a.std_range[0]), np.log(a.std_range[1]), size=a.components))
with open(a.out, "w") as f:
    json.dump({"generated_by": "tools/mixtures/make_mixture.py --seed %d --dim %d --components %d --spread %g --std-range %g %g"
               % (a.seed, a.dim, a.components, a.spread, a.std_range[0], a.std_range[1]),
               "weights": [round(float(w), 6) for w in weights / weights.sum()],
               "means": [[round(float(v), 6) for v in m] for m in means],
               "stds": [round(float(s), 6) for s in stds]}, f, indent=1)
