#!/bin/bash
# Diagnostics after the ViT re-tune (not part of any selection):
# 1. AdamW's selected 1 − β2 (lrCov 5.1e-4) is at the low edge of its range after its one
#    extension: the selected values with lrCov 2.5e-4 and 1.25e-4 (and the selection itself),
#    tuning seeds 10001-10003, validation accuracy.
# 2. RF-AdamW's selection (20 trials, val 68.50%) is far below session 3's on the same task and
#    budget (val 72.45%, results/vit-medium): session 3's RF-AdamW values with the final seeds 1-5,
#    to tell the tuning draw from the method.
# usage: results/retune/fmnist-vit/range-check/run.sh   (resumable: finished runs are reused)
cd /work/main
D=results/retune/fmnist-vit/range-check
R="results/run-logged.sh"; CLI="node .tmp/study/snap10/packages/lab/bin/rootfree.js"
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000 --test-subset 10000"
cp .tmp/study/snap10/COMMIT $D/CODE_COMMIT
python3 - <<'PY'
import json
D = 'results/retune/fmnist-vit/range-check'
tuned = json.load(open('results/retune/fmnist-vit/hparams.tuned.json'))['fmnist-vit']
for v in [5.115158897392753e-4, 2.5e-4, 1.25e-4]:
    hp = dict(tuned['adamw']['hp']); hp['lrCov'] = v
    json.dump({'fmnist-vit': {'adamw': {'hp': hp, 'source': f'range check: the re-tuned AdamW values with lrCov {v:.3g}'}}}, open(f'{D}/hp-adamw-lrCov-{v:.3g}.json', 'w'), indent=1)
s3 = json.load(open('results/vit-medium/hparams.tuned.json'))['fmnist-vit']['rfadamw']
json.dump({'fmnist-vit': {'rfadamw': {'hp': s3['hp'], 'source': 'session 3 selection (results/vit-medium): ' + s3['source']}}}, open(f'{D}/hp-rfadamw-session3.json', 'w'), indent=1)
PY
for f in $D/hp-adamw-*.json; do
  n=$(basename $f .json)
  $R $D/$n $CLI compare --task fmnist-vit --optimizers adamw --seeds 3 --first-seed 10001 $B --jobs 1 --threads 1 --resume --hparams $f --out $D/$n || exit 1
done
$R $D/rfadamw-session3 $CLI compare --task fmnist-vit --optimizers rfadamw --seeds 5 --first-seed 1 $B --jobs 1 --threads 1 --resume --hparams $D/hp-rfadamw-session3.json --out $D/rfadamw-session3
