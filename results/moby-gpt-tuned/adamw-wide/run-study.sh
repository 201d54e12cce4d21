#!/bin/bash
# Session 4: AdamW re-tuned on moby-gpt with its widened learning-rate range ([3e-4, 0.1], was
# [1e-4, 1e-2]); the same 6 + 4 trials as every method had, then 3-seed finals. Runs after s6 (its val bpc was still falling at the largest lr drawn, 4.4e-3).
cd /work/main
while pgrep -f s6.sh >/dev/null; do sleep 10; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap5/bin/rootfree.js"
D=results/moby-gpt-tuned/adamw-wide
mkdir -p $D; cp .tmp/study/s7.sh $D/run-study.sh; cp .tmp/study/snap5/COMMIT $D/CODE_COMMIT
$R $D/tune/stage1-run $CLI tune --task moby-gpt --optimizer adamw --trials 6 --budget quick --seed 1 --jobs 2 --out $D/tune --hparams $D/hparams.tuned.json
$R $D/tune/stage2-run $CLI tune --task moby-gpt --optimizer adamw --trials 4 --stage2 --budget quick --seed 1 --jobs 2 --out $D/tune --hparams $D/hparams.tuned.json
$R $D/final $CLI compare --task moby-gpt --optimizers adamw --seeds 3 --budget quick --jobs 2 --hparams $D/hparams.tuned.json --out $D/final
echo "adamw wide done $(date -u +%T)"
