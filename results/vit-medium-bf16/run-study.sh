#!/bin/bash
# Session 4: (1) a range check for AdamW on moby-lstm (below); (2) half precision at the medium ViT budget with the tuned values of results/vit-medium:
# IF-Shampoo, Shampoo (eigen root) and Shampoo (Newton root, Shampoo's tuned values) with bf16
# optimizer state, and the Newton-root Shampoo in fp32 (fp32 IF-Shampoo/Shampoo = vit-medium/final).
cd /work/main
while pgrep -f s4.sh >/dev/null; do sleep 10; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap4/bin/rootfree.js"
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000 --test-subset 10000"
# LSTM range check (diagnostic, not used for selection): AdamW's stage-2 draws stopped at lr 5.1e-3
# (its search range ends at 1e-2); seed 1 at larger learning rates, other values as selected.
D=results/moby-lstm-tuned/range-check
mkdir -p $D; cp .tmp/study/s5.sh $D/run-study.sh; cp .tmp/study/snap4/COMMIT $D/CODE_COMMIT
for lr in 0.01 0.02 0.04; do
  python3 -c "import json,sys; t=json.load(open('results/moby-lstm-tuned/hparams.tuned.json')); e=t['moby-lstm']['adamw']; e['hp']['lr']=$lr; e['source']='range check: selected AdamW values with lr=$lr'; json.dump({'moby-lstm':{'adamw':e}}, open('$D/adamw-lr$lr.json','w'), indent=1)"
done
$R $D/adamw-lr0.01 $CLI compare --task moby-lstm --optimizers adamw --seeds 1 --budget quick --jobs 1 --hparams $D/adamw-lr0.01.json --out $D/adamw-lr0.01 &
$R $D/adamw-lr0.02 $CLI compare --task moby-lstm --optimizers adamw --seeds 1 --budget quick --jobs 1 --hparams $D/adamw-lr0.02.json --out $D/adamw-lr0.02
wait
$R $D/adamw-lr0.04 $CLI compare --task moby-lstm --optimizers adamw --seeds 1 --budget quick --jobs 1 --hparams $D/adamw-lr0.04.json --out $D/adamw-lr0.04
echo "lstm range check done $(date -u +%T)"

D=results/vit-medium-bf16
mkdir -p $D; cp .tmp/study/s5.sh $D/run-study.sh; cp .tmp/study/snap4/COMMIT $D/CODE_COMMIT
python3 - <<'PY'
import json
t = json.load(open('results/vit-medium/hparams.tuned.json'))
e = dict(t['fmnist-vit']['shampoo'])
e['source'] = "Shampoo's tuned values (results/vit-medium, eigen root), reused for the Newton root: " + e['source']
t['fmnist-vit']['shampoo-newton'] = e
json.dump(t, open('results/vit-medium-bf16/hparams.json', 'w'), indent=1)
PY
$R $D/bf16 $CLI compare --task fmnist-vit --optimizers ifshampoo,shampoo,shampoo-newton --precision bf16 --seeds 3 $B --jobs 2 --hparams $D/hparams.json --out $D/bf16
echo "bf16 done $(date -u +%T)"
$R $D/fp32-newton $CLI compare --task fmnist-vit --optimizers shampoo-newton --precision fp32 --seeds 3 $B --jobs 2 --hparams $D/hparams.json --out $D/fp32-newton
echo "fp32 newton done $(date -u +%T)"
