#!/bin/bash
# Session 4: Shampoo with the Newton root on the medium ViT at a larger epsilon (1e-5, the top of
# Shampoo's search range; the tuned 3.2e-8 made the Newton root fail already in fp32), fp32 and bf16.
# Runs after s7.
cd /work/main
while pgrep -f s7.sh >/dev/null; do sleep 10; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap5/bin/rootfree.js"
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000 --test-subset 10000"
D=results/vit-medium-bf16/newton-eps1e-5
mkdir -p $D; cp .tmp/study/s8.sh $D/run-study.sh; cp .tmp/study/snap5/COMMIT $D/CODE_COMMIT
python3 -c "
import json
t=json.load(open('results/vit-medium-bf16/hparams.json')); e=t['fmnist-vit']['shampoo-newton']
e['hp']['damping']=1e-5; e['source']=\"Shampoo's tuned values (results/vit-medium) with epsilon 1e-5 instead of 3.2e-8\"
json.dump({'fmnist-vit':{'shampoo-newton':e}}, open('$D/hparams.json','w'), indent=1)"
$R $D/fp32 $CLI compare --task fmnist-vit --optimizers shampoo-newton --precision fp32 --seeds 3 $B --jobs 2 --hparams $D/hparams.json --out $D/fp32
$R $D/bf16 $CLI compare --task fmnist-vit --optimizers shampoo-newton --precision bf16 --seeds 3 $B --jobs 2 --hparams $D/hparams.json --out $D/bf16
echo "newton eps done $(date -u +%T)"
