"""Summarizes the bespoke solver's rows of `ddpm bench samplers` output into the one-row-per-budget table of
docs/BENCHMARKS.md ("Learned solver coefficients (bespoke)"): diffusers' best with its own spacings and with
any list, the best schedule optimized by times alone (every GITS, AYS and descent row of the three tuned
samplers), the bespoke solver's start (DPM-Solver++(2M) on the chosen start times) and the solver it keeps,
and the ratios of diffusers' best with any list to the best times-only schedule and to the bespoke solver.

    /usr/bin/python3 tools/benchmarks/summarize_bespoke.py docs/benchmarks/bespoke-gmm-2d.txt
"""
import re
import sys

rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"^\| (\d+) \| (.*) \| ([0-9.e+-]+|Infinity) \| [0-9.]+ \|$", line.strip())
    if m:
        rows.setdefault(int(m.group(1)), []).append((m.group(2), float(m.group(3))))
print("| evaluations | diffusers, own spacings | diffusers, best of any list | best times-only optimized | bespoke start | bespoke | "
      "ratio, times only | ratio, bespoke |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sorted(rows):
    r = rows[n]
    own = [e for c, e in r if c.startswith("best of diffusers' own")][0]
    anyl = [e for c, e in r if c.startswith("best of diffusers with any")][0]
    times = min((e, c) for c, e in r if c.startswith("ddpm4j ") and "bespoke" not in c
                and ("GITS" in c or "AYS" in c or c.endswith("+ descent")))
    start = [(e, c) for c, e in r if c.startswith("ddpm4j bespoke start")][0]
    learned = [(e, c) for c, e in r if c.startswith("ddpm4j bespoke, ")][0]
    verdict = "learned" if "bespoke, learned" in learned[1] else "start kept"
    start_name = start[1].split(" on ", 1)[1]
    print(f"| {n} | {own:.2e} | {anyl:.2e} | {times[0]:.2e} ({times[1].replace('ddpm4j ', '')}) | {start[0]:.2e} ({start_name}) | "
          f"{learned[0]:.2e} ({verdict}) | {anyl / times[0]:.1f} | {anyl / learned[0]:.1f} |")
