"""Summarizes the step-schedule table of `ddpm bench samplers` output into the one-row-per-budget table
of docs/BENCHMARKS.md ("Step schedules optimized for the model"): diffusers' best with its own spacings
and with any list, ddpm4j's best hand-made list, the best plain GITS and GITS (carried) over the three
tuned samplers, the best schedule after descent, and the ratio of diffusers' best with any list to it.

    /usr/bin/python3 tools/benchmarks/summarize_step_schedules.py docs/benchmarks/step-schedules-gmm-2d.txt
"""
import re
import sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"^\| (\d+) \| (.*) \| ([0-9.e+-]+) \| [0-9.]+ \|$", line.strip())
    if m:
        rows.setdefault(int(m.group(1)), []).append((m.group(2), float(m.group(3))))
print("| evaluations | diffusers, own spacings | diffusers, best of any list | ddpm4j, best hand-made list | GITS | GITS (carried) | best optimized (configuration) | ratio to diffusers' best |")
print("|---:|---:|---:|---:|---:|---:|---|---:|")
for n in sorted(rows):
    r = rows[n]
    own = [e for c, e in r if c.startswith("best of diffusers' own")][0]
    anyl = [e for c, e in r if c.startswith("best of diffusers with any")][0]
    hand = [e for c, e in r if c.startswith("best of ddpm4j's tuned")][0]
    gits = min(e for c, e in r if c.endswith(", GITS"))
    carried = min(e for c, e in r if c.endswith("GITS (error carried to t=0)"))
    best = min(((e, c) for c, e in r if c.endswith("+ descent")))
    conf = best[1].replace("ddpm4j ", "")
    print(f"| {n} | {own:.2e} | {anyl:.2e} | {hand:.2e} | {gits:.2e} | {carried:.2e} | {best[0]:.2e} ({conf}) | {anyl/best[0]:.1f} |")
