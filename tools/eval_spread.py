#!/usr/bin/env python3
"""Standard errors of `ddpm eval` rows, and paired differences between rows drawn from the same noise.

Reads what `ddpm eval --out DIR` writes per scale: eval.json, features-w<S>.npy, predicted-w<S>.npy
and test-features.npy (sample i asked for class i // per_class). For each row: class accuracy with
its binomial standard error, FD-classifier recomputed from the features (checked against eval.json)
with a half-sampling spread: the standard deviation of FD-classifier over random halves of the
samples drawn without replacement (for a mean that is exactly its standard error; a bootstrap with
replacement is no good here, its duplicates double FD's small-sample bias). Against the first row,
paired: the accuracy difference with the standard error of the per-sample differences, and the
FD-classifier difference with the same halves in both rows (which share their noise and labels), so
differences far smaller than either row's own spread resolve. "floor": FD-classifier of as many test
images as samples (a random draw of the first half of the test set) against the second half, the
value a perfect sampler would reach at this size, with its spread over 50 draws (the sampling
spread of FD-classifier at this size; the half-sampling spread, at half the size, is larger).
"feature distance": the mean distance between the features of sample i of a row and of the first
row (same noise and class): with an ODE sampler of many steps first, how far each row's samples
are from that row's, i.e. from the probability flow's own end points.

With --first K every row keeps the first K samples of each class, for rows of different sizes; rows
drawn with another --per-class share the labels but not the noise, so those differences are not
paired (their spread is about the two rows' own spreads combined).

Usage: /usr/bin/python3 tools/eval_spread.py [--scale 3] [--halves 200] [--first K] NAME=DIR [NAME=DIR ...]
"""
import argparse
import json
import os

import numpy as np


def sqrt_symmetric(m):
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet(a, b):
    """As org.ddpm4j.core.metrics.FrechetDistance: Gaussians fitted with the unbiased covariance."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = sqrt_symmetric(s_a)
    middle = sqrt_symmetric(root @ s_b @ root)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(middle))


def load(directory, scale):
    suffix = "-w" + (str(int(scale)) if scale == int(scale) else str(scale))
    report = json.load(open(os.path.join(directory, "eval.json")))
    row = [r for r in report["guidance"] if r.get("scale") == scale][0]
    features = np.load(os.path.join(directory, "features" + suffix + ".npy"))
    predicted = np.load(os.path.join(directory, "predicted" + suffix + ".npy")).astype(int)
    test = np.load(os.path.join(directory, "test-features.npy"))
    n = len(predicted)
    labels = np.arange(n) // (n // 10)
    fd = frechet(features, test)
    if abs(fd - row["fd_classifier"]) > 1e-6 * (1 + fd):
        raise SystemExit(f"{directory}: FD recomputed {fd} != eval.json {row['fd_classifier']}")
    return dict(correct=(predicted == labels).astype(float), features=features, test=test, fd=fd, row=row, report=report)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=3.0)
    parser.add_argument("--halves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="use only the first K samples of each class of every row")
    parser.add_argument("rows", nargs="+")
    args = parser.parse_args()
    names, rows = [], []
    for spec in args.rows:
        name, directory = spec.split("=", 1)
        names.append(name)
        rows.append(load(directory, args.scale))
    if args.first:
        # every row cut to its first K samples of each class: FD-classifier's small-sample bias is then the same in every row
        for r in rows:
            per_class = len(r["correct"]) // 10
            keep = np.concatenate([np.arange(c * per_class, c * per_class + args.first) for c in range(10)])
            r["correct"], r["features"] = r["correct"][keep], r["features"][keep]
            r["fd"] = frechet(r["features"], r["test"])
    n = len(rows[0]["correct"])
    if any(len(r["correct"]) != n for r in rows):
        raise SystemExit("paired comparisons need the same samples in every row (use --first K)")
    rng = np.random.default_rng(args.seed)
    draws = [rng.permutation(n)[: n // 2] for _ in range(args.halves)]
    test = rows[0]["test"]
    boot = [[frechet(r["features"][i], test) for i in draws] for r in rows]
    first = rows[0]
    half = len(test) // 2
    floors = [frechet(test[rng.permutation(half)[:n]], test[half:]) for _ in range(50)]
    print(f"{n} samples per row, {len(test)} test images, {args.halves} random halves; differences against '{names[0]}', paired;"
          f" floor {np.mean(floors):.3f} +- {np.std(floors, ddof=1):.3f} ({n} test images against {len(test) - half} others)")
    print(f"{'row':34s} {'accuracy':>16s} {'FD-classifier':>16s} {'d accuracy':>18s} {'d FD':>18s} {'feature distance':>18s}  seconds")
    for name, r, b in zip(names, rows, boot):
        p = r["correct"].mean()
        d = r["correct"] - first["correct"]
        fd_diff = np.array(b) - np.array(boot[0])
        distance = np.linalg.norm(r["features"] - first["features"], axis=1)
        print(f"{name:34s} {100 * p:7.1f} +- {100 * np.sqrt(p * (1 - p) / n):4.1f}% {r['fd']:8.3f} +- {np.std(b, ddof=1):5.3f}"
              f" {100 * d.mean():+8.1f} +- {100 * d.std(ddof=1) / np.sqrt(n):4.1f}% {r['fd'] - first['fd']:+8.3f} +- {np.std(fd_diff, ddof=1):5.3f}"
              f" {distance.mean():8.3f} +- {distance.std(ddof=1) / np.sqrt(n):5.3f}"
              f"  {r['row']['seconds']:7.0f}")


if __name__ == "__main__":
    main()
