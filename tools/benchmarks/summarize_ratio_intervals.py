#!/usr/bin/env python3
"""Markdown table of `ddpm bench samplers` outputs: per budget, diffusers' best error with any list, the
bespoke least-squares solver's (history chosen on the held-out samples) and their ratio with its paired
bootstrap interval, from the "ratio at N evaluations" lines.

usage: summarize_ratio_intervals.py LABEL=FILE [LABEL=FILE ...]
"""
import re
import sys

RATIO = re.compile(r"^ratio at (\d+) evaluations, .*?: ([0-9.]+), (\d+)% paired bootstrap interval ([0-9.]+)-([0-9.]+) over the (\d+) benchmark samples")
FITTED = re.compile(r"^\| (\d+) \| ddpm4j bespoke, least squares \(history \d+\) \+ times \+ polish, (learned|start kept).*?held-out ([0-9.e+-]+) -> ([0-9.e+-]+)"
                    r".* \| ([0-9.e+-]+) \| [0-9.]+ \|$")
ANY_LIST = re.compile(r"^\| (\d+) \| best of diffusers with any list: .*? \| ([0-9.e+-]+) \| [0-9.]+ \|$")


def read(path):
    ratios, diffusers, chosen = {}, {}, {}
    with open(path) as f:
        for line in f:
            m = RATIO.match(line)
            if m:
                ratios[int(m.group(1))] = (float(m.group(2)), m.group(4), m.group(5), int(m.group(6)))
            m = FITTED.match(line.strip())
            if m:
                held_out = float(m.group(4) if m.group(2) == "learned" else m.group(3))
                n = int(m.group(1))
                if n not in chosen or held_out < chosen[n][0]:
                    chosen[n] = (held_out, float(m.group(5)))
            m = ANY_LIST.match(line.strip())
            if m:
                diffusers[int(m.group(1))] = float(m.group(2))
    return ratios, diffusers, {n: error for n, (_, error) in chosen.items()}


def main(args):
    if not args or any("=" not in a for a in args):
        sys.exit(__doc__)
    runs = [(a.split("=", 1)[0], read(a.split("=", 1)[1])) for a in args]
    budgets = sorted({n for _, (r, _, _) in runs for n in r})
    print("| run | " + " | ".join(f"{n} evaluations: diffusers / bespoke, ratio (95% interval)" for n in budgets) + " |")
    print("|---|" + "---|" * len(budgets))
    for label, (ratios, diffusers, bespoke) in runs:
        cells = []
        for n in budgets:
            if n not in ratios:
                cells.append("")
                continue
            ratio, low, high, _ = ratios[n]
            cells.append(f"{diffusers[n]:.2e} / {bespoke[n]:.2e}, **{ratio:.1f}x** ({low}-{high})")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
