#!/bin/bash
# Re-tune where the ranges bound (Session 7 plan, docs/REPRODUCTION.md): one task, its earlier
# budget and protocol (10 + 10 trials per method, stage 2 narrowed around the best stage-1 trials),
# today's search ranges, --extend-edges (a best trial at a range edge widens that side and samples
# 10 more, stage 3), SGD / AdamW / RF-RMSProp / RF-AdamW in one snapshot; then seeds 1-5.
# usage: run-task.sh <moby-lstm|fmnist-cnn|fmnist-resnet|fmnist-vit>. Resumable: rerun.
cd /work/main
TASK=$1
R="results/run-logged.sh"; CLI="node .tmp/study/snap10/packages/lab/bin/rootfree.js"
case $TASK in
  moby-lstm) B="--budget quick"; TEST="";;
  fmnist-cnn|fmnist-vit) B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000"; TEST="--test-subset 10000";;
  fmnist-resnet) B="--budget quick --epochs 2 --train-subset 6144 --val-subset 2000"; TEST="--test-subset 10000";;
  *) echo "unknown task $TASK"; exit 2;;
esac
D=results/retune/$TASK; mkdir -p $D
cp .tmp/study/snap10/COMMIT $D/CODE_COMMIT
for o in sgd adamw rfrmsprop rfadamw; do
  $R $D/tune/$o/run $CLI tune --task $TASK --optimizer $o --trials 10 --stage2 --extend-edges $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json || exit 1
done
$R $D/final $CLI compare --task $TASK --optimizers sgd,adamw,rfrmsprop,rfadamw --seeds 5 --first-seed 1 $B $TEST --jobs 2 --threads 1 --resume --reference adamw --hparams $D/hparams.tuned.json --out $D/final
