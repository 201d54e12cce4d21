#!/usr/bin/env python3
"""Claim 1's gap rule (docs/REPRODUCTION.md): over the finished runs in a compare directory,
gap = SGD - AdamW final test accuracy (points), paired by seed, with a 95% Student-t CI; the runs
fit when every clean train accuracy is >= 99.5%. usage: gap.py <compare-dir>
Prints JSON; exit 0 when a gap is shown (mean >= 1.0 and CI above 0, every run fits), else 1."""
import glob, json, math, sys

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
d = sys.argv[1]
runs = {}
for f in glob.glob(f'{d}/runs/*/*/*/result.json'):
    r = json.load(open(f))
    if r.get('completed'):
        runs[(r['optimizer'], r['seed'])] = r
seeds = sorted({s for (o, s) in runs if o == 'sgd'} & {s for (o, s) in runs if o == 'adamw'})
diffs = [100 * (runs[('sgd', s)]['final']['test']['metric'] - runs[('adamw', s)]['final']['test']['metric']) for s in seeds]
train = {f'{o}/seed{s}': round(100 * r['final']['trainEval']['metric'], 2) for (o, s), r in sorted(runs.items())}
out = {'dir': d, 'seeds': seeds, 'diffs': [round(x, 2) for x in diffs], 'train': train, 'fits': all(v >= 99.5 for v in train.values())}
if len(diffs) >= 2:
    n = len(diffs); m = sum(diffs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in diffs) / (n - 1))
    h = T975[n - 1] * sd / math.sqrt(n)
    out.update(gap=round(m, 3), ci=[round(m - h, 3), round(m + h, 3)])
    out['gapShown'] = m >= 1.0 and m - h > 0 and out['fits']
else:
    out['gapShown'] = False
print(json.dumps(out))
sys.exit(0 if out['gapShown'] else 1)
