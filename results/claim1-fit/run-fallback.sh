#!/bin/bash
# Claim 1 fallback stress test (Session 7 plan in docs/REPRODUCTION.md), the pilot's procedure in
# another setting: lr screen with seed 101 (SGD 0.01/0.03/0.1, AdamW 3e-4/1e-3/3e-3), one
# half-decade extension at a grid end, selection by final-epoch val accuracy, budget doubled once
# when a selected run stays below 99.5% train accuracy, then seeds 1-3 at the selection.
# usage: run-fallback.sh <name> "<screen budget flags>" "<doubled budget flags>"
# Runs only when the pilot's finals showed no gap (results/claim1-fit/gap.py). Resumable: rerun.
cd /work/main
NAME=$1; FLAGS=$2; DOUBLE=$3
R="results/run-logged.sh"; CLI="node .tmp/study/snap10/packages/lab/bin/rootfree.js"
D=results/claim1-fit/$NAME; mkdir -p $D
# The pilot's verdict first: all three seeds of both methods finished, and no gap.
P=$(python3 results/claim1-fit/gap.py results/claim1-fit/pilot/final) && { echo "pilot shows a gap: no fallback"; exit 0; }
echo "$P" | python3 -c "import json,sys; sys.exit(0 if len(json.load(sys.stdin)['seeds']) >= 3 else 1)" || { echo "pilot finals not finished: $P"; exit 1; }
cp .tmp/study/snap10/COMMIT $D/CODE_COMMIT
echo "$0 $*" > $D/COMMAND
T="--task fmnist-cnn-fit"
base() { case $1 in sgd) echo '"momentum": 0.9, "weightDecay": 5e-4';; adamw) echo '"momentum": 0.9, "lrCov": 1e-3, "damping": 1e-8, "weightDecay": 1e-2';; esac; }
SGD=(0.01 0.03 0.1); ADAM=(3e-4 1e-3 3e-3)
for i in 0 1 2; do
  echo "{\"fmnist-cnn-fit\": {\"sgd\": {\"hp\": {\"lr\": ${SGD[$i]}, $(base sgd)}, \"source\": \"$NAME screen: SGD lr ${SGD[$i]}\"}, \"adamw\": {\"hp\": {\"lr\": ${ADAM[$i]}, $(base adamw)}, \"source\": \"$NAME screen: AdamW lr ${ADAM[$i]}\"}}}" > $D/hp-$i.json
  $R $D/screen-$i $CLI compare $T $FLAGS --optimizers sgd,adamw --seeds 1 --first-seed 101 --jobs 2 --threads 1 --resume --hparams $D/hp-$i.json --out $D/screen-$i || exit 1
done
sel() { python3 results/select-lr.py fmnist-cnn-fit accuracy $1 $D/screen-*; }
for opt in sgd adamw; do
  s=$(sel $opt) || exit 1
  lr=$(echo "$s" | python3 -c "import json,sys; s=json.load(sys.stdin); g=s['grid']; print('' if not s['atEdge'] else ('%.3g' % (s['lr']*10**0.5) if s['lr']==max(g) else '%.3g' % (s['lr']/10**0.5)))")
  # One extension only: once its hp file exists it is resumed (or kept, once finished), never extended again.
  ls $D/screen-ext-$opt/runs/*/*/*/result.json > /dev/null 2>&1 && continue
  if [ -f $D/hp-ext-$opt.json ] || [ -n "$lr" ]; then
    [ -f $D/hp-ext-$opt.json ] || echo "{\"fmnist-cnn-fit\": {\"$opt\": {\"hp\": {\"lr\": $lr, $(base $opt)}, \"source\": \"$NAME screen extension: $opt lr $lr\"}}}" > $D/hp-ext-$opt.json
    $R $D/screen-ext-$opt $CLI compare $T $FLAGS --optimizers $opt --seeds 1 --first-seed 101 --jobs 1 --threads 2 --resume --hparams $D/hp-ext-$opt.json --out $D/screen-ext-$opt || exit 1
  fi
done
S=$(sel sgd); A=$(sel adamw)
echo "selected: sgd $S; adamw $A" | tee $D/selection.txt
ls=$(echo "$S" | python3 -c "import json,sys; print(json.load(sys.stdin)['lr'])"); la=$(echo "$A" | python3 -c "import json,sys; print(json.load(sys.stdin)['lr'])")
echo "{\"fmnist-cnn-fit\": {\"sgd\": {\"hp\": {\"lr\": $ls, $(base sgd)}, \"source\": \"$NAME: lr selected by the seed-101 screen\"}, \"adamw\": {\"hp\": {\"lr\": $la, $(base adamw)}, \"source\": \"$NAME: lr selected by the seed-101 screen\"}}}" > $D/hp-final.json
python3 -m json.tool $D/hp-final.json > /dev/null || exit 1
fits=$(python3 results/claim1-fit/fits.py "$S" "$A")
F="$FLAGS"; [ "$fits" = no ] && F="$DOUBLE"
echo "selected runs fit the training labels (>= 99.5% train accuracy): $fits -> finals with: $F" | tee -a $D/selection.txt
$R $D/final $CLI compare $T $F --optimizers sgd,adamw --seeds 3 --first-seed 1 --jobs 2 --threads 1 --resume --reference adamw --hparams $D/hp-final.json --out $D/final
python3 results/claim1-fit/gap.py $D/final | tee $D/gap.json
