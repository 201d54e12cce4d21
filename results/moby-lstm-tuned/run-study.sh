#!/bin/bash
# Session 4: moby-lstm equal 2-stage tuning (6 + 4 trials per method), 3-seed finals; then
# fmnist-resnet stage 2 and new 3-seed finals. (Note added afterwards: `--trials 10 --stage2` first
# extended stage 1 from 6 to 10 trials, then ran 10 in stage 2: 10 + 10 = 20 trials per method.)
cd /work/main
R="results/run-logged.sh"; CLI="node .tmp/study/snap3/bin/rootfree.js"
B="--budget quick"
D=results/moby-lstm-tuned
M="adamw rfadamw ifshampoo sgd rfrmsprop"
mkdir -p $D; cp .tmp/study/s4.sh $D/run-study.sh; cp .tmp/study/snap3/COMMIT $D/CODE_COMMIT
for o in $M; do
  $R $D/tune/$o/stage1-run $CLI tune --task moby-lstm --optimizer $o --trials 6 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "lstm stage1 done $(date -u +%T)"
for o in $M; do
  $R $D/tune/$o/stage2-run $CLI tune --task moby-lstm --optimizer $o --trials 4 --stage2 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "lstm stage2 done $(date -u +%T)"
$R $D/final $CLI compare --task moby-lstm --optimizers sgd,adamw,rfrmsprop,rfadamw,ifshampoo --seeds 3 $B --jobs 2 --hparams $D/hparams.tuned.json --out $D/final
echo "lstm finals done $(date -u +%T)"

B="--budget quick --epochs 2 --train-subset 6144 --val-subset 2000"
D=results/resnet-tuned
cp .tmp/study/s4.sh $D/run-study-stage2.sh; cp .tmp/study/snap3/COMMIT $D/CODE_COMMIT_STAGE2
cp $D/hparams.tuned.json $D/hparams.stage1.json
for o in sgd adamw rfrmsprop rfadamw; do
  $R $D/tune/$o/stage2-run $CLI tune --task fmnist-resnet --optimizer $o --trials 10 --stage2 $B --seed 1 --jobs 2 --out $D/tune/$o --hparams $D/hparams.tuned.json
done
echo "resnet stage2 done $(date -u +%T)"
$R $D/final-stage2 $CLI compare --task fmnist-resnet --optimizers sgd,adamw,rfrmsprop,rfadamw --seeds 3 $B --test-subset 10000 --jobs 2 --hparams $D/hparams.tuned.json --out $D/final-stage2
echo "resnet finals done $(date -u +%T)"
