#!/bin/bash
# ViT at the medium budget, six methods, stage 1 in rounds of 5 trials so every method has the same count if stopped early.
cd "$(dirname "$0")/../.."
R="results/run-logged.sh"; CLI="node bin/rootfree.js"
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000"
D=results/vit-medium
for n in 5 10; do
  for o in adamw rfadamw ifshampoo sgd rfrmsprop shampoo; do
    $R $D/tune/$o/stage1-run-$n $CLI tune --task fmnist-vit --optimizer $o --trials $n $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
  done
done
