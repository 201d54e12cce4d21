#!/bin/bash
# Diagnostic after the LSTM re-tune (not part of any selection): stage 3 widened the RF methods'
# lrCov range to [5e-4, 0.99] but drew one trial above 0.1 for each, and SGD's momentum range to
# 0.999 with no draw above 0.99. Each selected configuration is re-run with only that value
# changed, at the tuning seed (10001, so the validation bpc compares with the tuning trials).
# usage: results/retune/moby-lstm/range-check/run.sh   (resumable: finished runs are reused)
cd /work/main
D=results/retune/moby-lstm/range-check
R="results/run-logged.sh"; CLI="node .tmp/study/snap10/packages/lab/bin/rootfree.js"
cp .tmp/study/snap10/COMMIT $D/CODE_COMMIT
python3 - <<'PY'
import json
D = 'results/retune/moby-lstm/range-check'
tuned = json.load(open('results/retune/moby-lstm/hparams.tuned.json'))['moby-lstm']
grid = {'rfrmsprop': ('lrCov', [0.2, 0.4, 0.8]), 'rfadamw': ('lrCov', [0.2, 0.4, 0.8]), 'sgd': ('momentum', [0.993, 0.996])}
for opt, (k, vals) in grid.items():
    for v in vals:
        hp = dict(tuned[opt]['hp']); hp[k] = v
        src = f'range check: the tuned {opt} values with {k} {v}'
        json.dump({'moby-lstm': {opt: {'hp': hp, 'source': src}}}, open(f'{D}/hp-{opt}-{k}-{v}.json', 'w'), indent=1)
PY
for f in $D/hp-*.json; do
  n=$(basename $f .json); o=$(echo $n | cut -d- -f2)
  $R $D/$n $CLI compare --task moby-lstm --optimizers $o --seeds 1 --first-seed 10001 --budget quick --jobs 1 --threads 1 --resume --hparams $f --out $D/$n || exit 1
done
