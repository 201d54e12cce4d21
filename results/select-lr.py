#!/usr/bin/env python3
"""Learning-rate screens (session 6): best final-epoch validation metric per optimizer over screen
directories. usage: select-lr.py <task> <accuracy|bpc> <optimizer> <screen-dir>...
Prints JSON {lr, val, dir, atEdge, grid} for that optimizer; atEdge: the best lr is the smallest or
largest screened (the plan then extends the grid one step before the finals)."""
import glob, json, os, sys

task, metric, opt, dirs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rows = []
for d in dirs:
    for f in glob.glob(os.path.join(d, 'runs', opt, '*', '*', 'result.json')):
        r = json.load(open(f))
        if r['task'] != task or not r.get('completed'):
            continue
        v = r['final']['val']['metric']
        rows.append((r['hp']['lr'], v, d, r.get('diverged', False)))
if not rows:
    sys.exit(f'no finished {opt} runs of {task} in {dirs}')
ok = [x for x in rows if not x[3]]
best = (max if metric == 'accuracy' else min)(ok, key=lambda x: x[1])
lrs = sorted(x[0] for x in rows)
print(json.dumps({'lr': best[0], 'val': best[1], 'dir': best[2], 'atEdge': best[0] in (lrs[0], lrs[-1]), 'grid': lrs}))
