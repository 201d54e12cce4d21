#!/bin/bash
# Claim 1 pilot, step 1 (session 6): learning-rate screen on fmnist-cnn-fit with seed 101 (a tuning
# seed; the pilot's decision uses seeds 1-3 at the selected values). SGD (momentum 0.9, wd 5e-4)
# and AdamW (beta 0.9/0.999, eps 1e-8, wd 1e-2) at three learning rates each; selection by the
# final-epoch validation accuracy. Resumable: rerun the script (finished runs are reused by key).
cd /work/main
R="results/run-logged.sh"; CLI="node .tmp/study/snap6/packages/lab/bin/rootfree.js"
D=results/claim1-fit/pilot
cp .tmp/study/snap6/COMMIT $D/CODE_COMMIT
for i in 0 1 2; do
  SGD=(0.01 0.03 0.1); ADAM=(3e-4 1e-3 3e-3)
  s=${SGD[$i]}; a=${ADAM[$i]}
  cat > $D/hp-$i.json <<J
{"fmnist-cnn-fit": {"sgd": {"hp": {"lr": $s, "momentum": 0.9, "weightDecay": 5e-4}, "source": "pilot screen: SGD lr $s"},
 "adamw": {"hp": {"lr": $a, "momentum": 0.9, "lrCov": 1e-3, "damping": 1e-8, "weightDecay": 1e-2}, "source": "pilot screen: AdamW lr $a"}}}
J
  $R $D/screen-$i $CLI compare --task fmnist-cnn-fit --optimizers sgd,adamw --seeds 1 --first-seed 101 --jobs 2 --threads 1 --resume --hparams $D/hp-$i.json --out $D/screen-$i || echo "screen $i failed"
done
