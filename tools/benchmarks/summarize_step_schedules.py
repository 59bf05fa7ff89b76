"""Summarizes the step-schedule table of `ddpm bench samplers` output into the tables of docs/BENCHMARKS.md
("Step schedules optimized for the model"): one row per budget with diffusers' best with its own spacings and
with any list, ddpm4j's best hand-made list, the best start schedule of each method (plain GITS, GITS
(carried), AYS, Xue: the least over the tuned samplers), the best schedule after descent, and the ratio of
diffusers' best with any list to it; then, with --descent, the best after descent from each start and the
best iPNDM row. A method the run left out (GITS with --no-gits) shows as "-".

    /usr/bin/python3 tools/benchmarks/summarize_step_schedules.py docs/benchmarks/step-schedules-xue-gmm-2d.txt
    /usr/bin/python3 tools/benchmarks/summarize_step_schedules.py --descent docs/benchmarks/step-schedules-xue-gmm-2d.txt
"""
import re
import sys

descent = "--descent" in sys.argv
rows = {}
for line in open([a for a in sys.argv[1:] if a != "--descent"][0]):
    m = re.match(r"^\| (\d+) \| (.*) \| ([0-9.e+-]+|Infinity) \| [0-9.]+ \|$", line.strip())
    if m:
        rows.setdefault(int(m.group(1)), []).append((m.group(2), float(m.group(3))))


def best(r, keep):
    found = [(e, c) for c, e in r if keep(c)]
    return min(found) if found else None


def cell(b, with_name=False):
    if b is None:
        return "-"
    name = re.sub(r"^ddpm4j (.*?), .*$", r"\1", b[1])
    return f"{b[0]:.2e} ({name})" if with_name else f"{b[0]:.2e}"


if not descent:
    print("| evaluations | diffusers, own spacings | diffusers, best of any list | ddpm4j, best hand-made list | GITS | GITS (carried) | AYS | Xue | best optimized (configuration) | ratio to diffusers' best |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
else:
    print("| evaluations | best hand-made list | GITS (carried) + descent | AYS + descent | Xue + descent | hand-made + descent | best iPNDM-4 (configuration) |")
    print("|---:|---:|---:|---:|---:|---:|---|")
for n in sorted(rows):
    r = rows[n]
    own = best(r, lambda c: c.startswith("best of diffusers' own"))
    anyl = best(r, lambda c: c.startswith("best of diffusers with any"))
    hand = best(r, lambda c: c.startswith("best of ddpm4j's tuned"))
    if not descent:
        gits = best(r, lambda c: c.endswith(", GITS"))
        carried = best(r, lambda c: c.endswith("GITS (error carried to t=0)"))
        ays = best(r, lambda c: c.endswith(", AYS"))
        xue = best(r, lambda c: c.endswith(", Xue") or c.endswith(", Xue (carried)"))
        top = best(r, lambda c: c.endswith("+ descent"))
        conf = top[1].replace("ddpm4j ", "")
        print(f"| {n} | {cell(own)} | {cell(anyl)} | {cell(hand)} | {cell(gits)} | {cell(carried)} | {cell(ays)} | {cell(xue)} "
              f"| {top[0]:.2e} ({conf}) | {anyl[0] / top[0]:.1f} |")
    else:
        starts = ["GITS (carried) + descent", "AYS + descent", "Xue + descent"]
        cells = [cell(best(r, lambda c, s=s: c.endswith(", " + s)), True) for s in starts]
        handd = cell(best(r, lambda c: c.startswith("ddpm4j") and c.endswith("+ descent")
                          and not any(c.endswith(s) for s in starts) and "GITS" not in c), True)
        ipndm = best(r, lambda c: c.startswith("ddpm4j iPNDM"))
        ip = "-" if ipndm is None else f"{ipndm[0]:.2e} ({ipndm[1].replace('ddpm4j iPNDM-4, ', '')})"
        print(f"| {n} | {cell(hand, False)} | {' | '.join(cells)} | {handd} | {ip} |")
