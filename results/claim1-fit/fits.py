#!/usr/bin/env python3
"""Claim 1's fit check on a screen selection: 'yes' when every run of each selected (optimizer, lr)
in its screen directory reached >= 99.5% train accuracy, else 'no'.
usage: fits.py <select-lr.py JSON>..."""
import glob, json, sys

ok = True
for s in map(json.loads, sys.argv[1:]):
    for f in glob.glob(f"{s['dir']}/runs/*/*/*/result.json"):
        r = json.load(open(f))
        if r['hp']['lr'] == s['lr'] and r['final']['trainEval']['metric'] < 0.995:
            ok = False
print('yes' if ok else 'no')
