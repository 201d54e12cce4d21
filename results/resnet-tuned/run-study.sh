#!/bin/bash
# Session 3: fmnist-resnet equal one-stage tuning (6 trials per method) at 96 steps, then 3-seed finals.
# (Stage 2 was dropped to fit the session; adamw's stage 1 was started by the first version of this script.)
cd /work/main
while pgrep -f "tune --task fmnist-resnet --optimizer adamw" >/dev/null; do sleep 5; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap2/bin/rootfree.js"
B="--budget quick --epochs 2 --train-subset 6144 --val-subset 2000"
D=results/resnet-tuned
cp .tmp/study/resnet3b.sh $D/run-study.sh
for o in rfadamw sgd rfrmsprop; do
  $R $D/tune/$o/stage1-run $CLI tune --task fmnist-resnet --optimizer $o --trials 6 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "stage1 done $(date -u +%T)"
$R $D/final $CLI compare --task fmnist-resnet --optimizers sgd,adamw,rfrmsprop,rfadamw --seeds 3 $B --test-subset 10000 --jobs 2 --hparams $D/hparams.tuned.json --out $D/final
echo "finals done $(date -u +%T)"
