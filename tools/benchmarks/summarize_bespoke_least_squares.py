"""Summarizes the least-squares bespoke rows of `ddpm bench samplers ... --bespoke-history 6,10` output into the
one-row-per-budget table of docs/BENCHMARKS.md ("Bespoke coefficients by least squares"): diffusers' best with
any list, the bespoke start (DPM-Solver++(2M) on its start times), the least-squares coefficients on the start's
times for each history, the solver after the search over the times (pilot, held-out and benchmark error) for
each history, the ratios to diffusers' best with any list, and the ratio of the history with the lower pilot
error (the choice made without the benchmark's noise); then the output's "tails" lines.

    /usr/bin/python3 tools/benchmarks/summarize_bespoke_least_squares.py docs/benchmarks/bespoke-ls-gmm-2d.txt
"""
import re,sys
for f in sys.argv[1:]:
    rows={}
    tails={}
    for line in open(f):
        if line.startswith('tails at'):
            n=int(line.split()[2]); tails[n]=line.strip(); continue
        if not line.startswith('| '): continue
        c=[x.strip() for x in line.strip().strip('|').split('|')]
        if len(c)<4 or not c[0].isdigit(): continue
        n=int(c[0]); lab=c[1]; err=float(c[2])
        d=rows.setdefault(n,{})
        if lab.startswith('best of diffusers with any list'): d['any']=err
        elif lab.startswith('ddpm4j bespoke start'): d['start']=(err, lab.split(' on ',1)[1])
        elif '+ times' in lab:
            h=re.search(r'history (\d+)',lab).group(1)
            m=re.search(r'pilots ([0-9.e-]+) -> ([0-9.e-]+), held-out ([0-9.e-]+) -> ([0-9.e-]+)',lab)
            d['fit'+h]=(err, m.groups(), 'learned' if ', learned from' in lab else 'start kept')
        elif 'on the start' in lab:
            h=re.search(r'history (\d+)',lab).group(1); d['ls'+h]=err
    print('| evaluations | diffusers, best of any list | bespoke start (DPM-Solver++(2M), bench) | least squares on the start\'s times, H=6 / H=10 | + search over the times, H=6 (pilots, held-out, bench) | H=10 (pilots, held-out, bench) | ratio H=6 / H=10 | ratio, pilot-chosen |')
    print('|---:|---:|---|---:|---|---|---:|---:|')
    for n in sorted(rows):
        d=rows[n]; a=d['any']
        f6=d['fit6']; f10=d['fit10']
        pick=f6 if float(f6[1][1])<=float(f10[1][1]) else f10
        print(f"| {n} | {a:.2e} | {d['start'][0]:.2e} ({d['start'][1]}) | {d['ls6']:.2e} / {d['ls10']:.2e} | {f6[1][1]}, {f6[1][3]}, **{f6[0]:.2e}** | {f10[1][1]}, {f10[1][3]}, **{f10[0]:.2e}** | {a/f6[0]:.1f} / {a/f10[0]:.1f} | {a/pick[0]:.1f} |")
    for n in sorted(tails): print(tails[n])
