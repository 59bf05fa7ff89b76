#!/usr/bin/env python3
"""The 5-NN leave-one-out classifier two-sample test of `ddpm demo`, for samples written by `ddpm sample`.

Compares SAMPLES.npy [n, 2] with n fresh points of the demo's two moons (Toy2d.MOONS, drawn with
numpy), and prints the accuracy with its floor (two sets of fresh moons) and the per-axis standard
deviations. The same statistic as org.ddpm4j.examples.metrics.KnnTwoSampleTest (ties aside).

usage: c2st.py SAMPLES.npy
"""
import sys

import numpy as np
from scipy.spatial import cKDTree


def moons(n, seed, noise=0.06):
    r = np.random.default_rng(seed)
    label = r.integers(0, 2, n)
    a = np.pi * r.random(n)
    x = np.where(label == 0, np.cos(a), 1 - np.cos(a))
    y = np.where(label == 0, np.sin(a), 0.5 - np.sin(a))
    return np.stack([(x - 0.5) * 1.6 + noise * r.standard_normal(n), (y - 0.25) * 1.6 + noise * r.standard_normal(n)], 1)


def c2st(a, b, k=5):
    pooled = np.concatenate([a, b])
    label = np.r_[np.zeros(len(a)), np.ones(len(b))]
    _, index = cKDTree(pooled).query(pooled, k + 1)  # the first neighbour is the point itself
    votes = label[index[:, 1:]].mean(1)
    return ((votes > 0.5) == label).mean()


if __name__ == "__main__":
    s = np.load(sys.argv[1])
    h = moons(4 * len(s), 123)
    print("c2st %.3f floor %.3f  std(samples) %s std(data) %s" % (
        c2st(s, h[:len(s)]), c2st(h[len(s):2 * len(s)], h[:len(s)]), s.std(0).round(3), h.std(0).round(3)))
