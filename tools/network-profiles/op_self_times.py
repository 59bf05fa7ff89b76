#!/usr/bin/python3
"""Self time per op of a Chrome trace from a PyTorch/libtorch profiler: op_self_times.py TRACE.json [ROWS [OP]];
with OP, also that op's self time per input shape (traces recorded with shapes)."""
import json, sys, collections
d = json.load(open(sys.argv[1]))
ev = d['traceEvents'] if isinstance(d, dict) else d
tot = collections.Counter(); cnt = collections.Counter()
by_shape = collections.Counter(); shape_cnt = collections.Counter()
# self time: subtract children on same thread; approximate with inclusive for top-level 'aten::' ops
evs = [e for e in ev if e.get('ph') == 'X' and 'dur' in e]
# compute self time per event via stack per tid
by_tid = collections.defaultdict(list)
for e in evs: by_tid[e['tid']].append(e)
for tid, es in by_tid.items():
    es.sort(key=lambda e: (e['ts'], -e['dur']))
    stack = []
    selft = {}
    for e in es:
        while stack and stack[-1]['ts'] + stack[-1]['dur'] <= e['ts']:
            stack.pop()
        if stack:
            selft[id(stack[-1])] = selft.get(id(stack[-1]), stack[-1]['dur']) - e['dur']
        stack.append(e)
    for e in es:
        tot[e['name']] += selft.get(id(e), e['dur']); cnt[e['name']] += 1
        if len(sys.argv) > 3 and e['name'] == sys.argv[3]:
            shape = str(e.get('shape', e.get('args', {}).get('Input Dims', '?')))
            by_shape[shape] += selft.get(id(e), e['dur']); shape_cnt[shape] += 1
s = sum(tot.values())
print('total self ms', s/1000)
for k, v in tot.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 35):
    print('%8.1f ms %5.1f%% %6d  %s' % (v/1000, 100*v/s, cnt[k], k[:110]))
for k, v in by_shape.most_common(12):
    print('  %s %8.1f ms %6d  %s' % (sys.argv[3], v/1000, shape_cnt[k], k[:110]))
