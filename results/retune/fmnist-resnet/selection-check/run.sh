#!/bin/bash
# Diagnostic after the ResNet re-tune (not part of any selection): the re-tune's AdamW selection
# (val 75.50%) is below the earlier study's (sessions 3-4, results/resnet-tuned: val 76.70%) on the
# same task and budget, and RF-RMSProp's lies in another region (val 75.10% at lr_cov 0.81 against
# 75.15% at 0.098). To tell the tuning draws from the methods: all four methods at the earlier
# study's selections with the re-tune's final seeds 1-5 (same budget, same snapshot).
# usage: results/retune/fmnist-resnet/selection-check/run.sh   (resumable: finished runs are reused)
cd /work/main
D=results/retune/fmnist-resnet/selection-check
R="results/run-logged.sh"; CLI="node .tmp/study/snap10/packages/lab/bin/rootfree.js"
B="--budget quick --epochs 2 --train-subset 6144 --val-subset 2000 --test-subset 10000"
cp .tmp/study/snap10/COMMIT $D/CODE_COMMIT
$R $D/session4 $CLI compare --task fmnist-resnet --optimizers sgd,adamw,rfrmsprop,rfadamw --seeds 5 --first-seed 1 $B --jobs 2 --threads 1 --resume --reference adamw --hparams results/resnet-tuned/hparams.tuned.json --out $D/session4
