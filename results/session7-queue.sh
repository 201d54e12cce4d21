#!/bin/bash
# Session 7 compute queue (plan in docs/REPRODUCTION.md): after the pilot finals and the 2,000-step
# GPT study, the claim-1 fallbacks and the re-tunes, each resumable; rerun to continue.
cd /work/main
while pgrep -f "pilot/run-finals.sh|claim2-gpt2k/run-study.sh" >/dev/null; do sleep 20; done
bash results/claim1-fit/run-fallback.sh small "--train-subset 1000 --epochs 150 --test-every 10" "--train-subset 1000 --epochs 300 --test-every 10"
bash results/retune/run-task.sh moby-lstm
bash results/claim1-fit/run-fallback.sh noise "--budget full --label-noise 0.2 --test-every 10" "--budget full --label-noise 0.2 --epochs 120 --test-every 10"
for t in fmnist-cnn fmnist-resnet fmnist-vit; do bash results/retune/run-task.sh $t; done
