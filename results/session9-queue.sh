#!/bin/bash
# Session 9 compute queue: the remaining steps of the session-7 queue, reordered so that the
# re-tunes (the ViT decides claim 2's ViT row) run before the claim-1 stress test F2, which needs
# the most compute (up to 120-epoch finals) and is a stress test only. Each step resumable; rerun.
cd /work/main
for t in fmnist-vit fmnist-cnn fmnist-resnet; do bash results/retune/run-task.sh $t || exit 1; done
bash results/claim1-fit/run-fallback.sh noise "--budget full --label-noise 0.2 --test-every 10" "--budget full --label-noise 0.2 --epochs 120 --test-every 10"
