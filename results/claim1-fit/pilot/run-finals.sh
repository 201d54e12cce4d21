#!/bin/bash
# Claim 1 pilot, step 2 (plan in docs/REPRODUCTION.md, session 6): select each method's lr from the
# screen (final-epoch val accuracy, seed 101), extend a selection at the grid's end by one step
# (half a decade) and re-select, then seeds 1-3 of SGD and AdamW at the selected values.
# Resumable: rerun (finished runs are reused by key, unfinished ones resume from checkpoints).
cd /work/main
while pgrep -f "run-screen.sh|claim4-fair/run-study.sh" >/dev/null; do sleep 20; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap9/packages/lab/bin/rootfree.js"
D=results/claim1-fit/pilot
sel() { python3 results/select-lr.py fmnist-cnn-fit accuracy $1 $D/screen-*; }
base() { case $1 in sgd) echo '"momentum": 0.9, "weightDecay": 5e-4';; adamw) echo '"momentum": 0.9, "lrCov": 1e-3, "damping": 1e-8, "weightDecay": 1e-2';; esac; }
for opt in sgd adamw; do
  s=$(sel $opt) || exit 1
  lr=$(echo "$s" | python3 -c "import json,sys; s=json.load(sys.stdin); g=s['grid']; print('' if not s['atEdge'] else ('%.3g' % (s['lr']*10**0.5) if s['lr']==max(g) else '%.3g' % (s['lr']/10**0.5)))")
  # One extension only: once its hp file exists it is resumed (or kept, once finished), never extended again.
  ls $D/screen-ext-$opt/runs/*/*/*/result.json > /dev/null 2>&1 && continue
  if [ -f $D/hp-ext-$opt.json ] || [ -n "$lr" ]; then
    [ -f $D/hp-ext-$opt.json ] || echo "{\"fmnist-cnn-fit\": {\"$opt\": {\"hp\": {\"lr\": $lr, $(base $opt)}, \"source\": \"pilot screen extension: $opt lr $lr\"}}}" > $D/hp-ext-$opt.json
    $R $D/screen-ext-$opt $CLI compare --task fmnist-cnn-fit --optimizers $opt --seeds 1 --first-seed 101 --jobs 1 --threads 2 --resume --hparams $D/hp-ext-$opt.json --out $D/screen-ext-$opt || exit 1
  fi
done
S=$(sel sgd); A=$(sel adamw)
echo "selected: sgd $S; adamw $A" | tee $D/selection.txt
ls=$(echo "$S" | python3 -c "import json,sys; print(json.load(sys.stdin)['lr'])"); la=$(echo "$A" | python3 -c "import json,sys; print(json.load(sys.stdin)['lr'])")
echo "{\"fmnist-cnn-fit\": {\"sgd\": {\"hp\": {\"lr\": $ls, $(base sgd)}, \"source\": \"pilot: lr selected by the seed-101 screen (selection.txt)\"}, \"adamw\": {\"hp\": {\"lr\": $la, $(base adamw)}, \"source\": \"pilot: lr selected by the seed-101 screen (selection.txt)\"}}}" > $D/hp-final.json
python3 -m json.tool $D/hp-final.json > /dev/null || exit 1
# The plan: a selected run below 99.5% clean train accuracy doubles the budget (60 epochs) for both.
fits=$(python3 results/claim1-fit/fits.py "$S" "$A")
budget=quick; [ "$fits" = no ] && budget=full
echo "selected runs fit the training set (>= 99.5% clean train accuracy): $fits -> --budget $budget" | tee -a $D/selection.txt
$R $D/final $CLI compare --task fmnist-cnn-fit --budget $budget --optimizers sgd,adamw --seeds 3 --first-seed 1 --jobs 2 --threads 1 --resume --reference adamw --hparams $D/hp-final.json --out $D/final
