#!/bin/bash
# CNN study at a medium budget: 4 methods, 2-stage random search (10 + 10 trials), 3 final seeds.
cd "$(dirname "$0")/../.."
R="results/run-logged.sh"; CLI="node bin/rootfree.js"
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000"
D=results/cnn-medium
for o in sgd adamw rfrmsprop rfadamw; do
  $R $D/tune/$o/stage1-run $CLI tune --task fmnist-cnn --optimizer $o --trials 10 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
for o in sgd adamw rfrmsprop rfadamw; do
  $R $D/tune/$o/stage2-run $CLI tune --task fmnist-cnn --optimizer $o --trials 10 --stage2 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
$R $D/final $CLI compare --task fmnist-cnn --optimizers sgd,adamw,rfrmsprop,rfadamw --seeds 3 $B --test-subset 10000 --jobs 2 --hparams $D/hparams.tuned.json --out $D/final
