#!/bin/bash
# Session 3: char-GPT (moby-gpt) equal 2-stage tuning (6 + 4 trials per method; even counts keep both job slots busy), 3-seed finals. Runs after vit3.sh.
cd /work/main
while pgrep -f vit3.sh >/dev/null; do sleep 10; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap2/bin/rootfree.js"
B="--budget quick"
D=results/moby-gpt-tuned
M="adamw rfadamw ifshampoo sgd rfrmsprop"
mkdir -p $D; cp .tmp/study/gpt3.sh $D/run-study.sh; cp .tmp/study/snap2/COMMIT $D/CODE_COMMIT
for o in $M; do
  $R $D/tune/$o/stage1-run $CLI tune --task moby-gpt --optimizer $o --trials 6 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "stage1 done $(date -u +%T)"
for o in $M; do
  $R $D/tune/$o/stage2-run $CLI tune --task moby-gpt --optimizer $o --trials 4 --stage2 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "stage2 done $(date -u +%T)"
$R $D/final $CLI compare --task moby-gpt --optimizers sgd,adamw,rfrmsprop,rfadamw,ifshampoo --seeds 3 $B --jobs 2 --hparams $D/hparams.tuned.json --out $D/final
echo "finals done $(date -u +%T)"
