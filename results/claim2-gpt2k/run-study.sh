#!/bin/bash
# Claim 2 at ten times the steps (plan in docs/REPRODUCTION.md, session 6): the character GPT for
# 2,000 steps (20 x 100, batch 32, cosine with 5% warm-up), AdamW (its wide-range tuned values,
# results/moby-gpt-tuned/adamw-wide) vs RF-RMSProp (results/moby-gpt-tuned), the same procedure
# for both: lr screen at {1/3, 1, 3} x the 200-step tuned lr with seed 101, other values as tuned,
# one half-decade extension when the best lr is at the grid's end, then seeds 1-5 at the selection.
# Resumable: rerun.
cd /work/main
while pgrep -f "run-screen.sh|claim4-fair/run-study.sh|pilot/run-finals.sh" >/dev/null; do sleep 20; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap9/packages/lab/bin/rootfree.js"
D=results/claim2-gpt2k
cp .tmp/study/snap9/COMMIT $D/CODE_COMMIT
B="--task moby-gpt --budget quick --epochs 20"
hp() { # optimizer lr-factor -> hp json entry
  python3 - "$1" "$2" <<'PY'
import json, sys
opt, f = sys.argv[1], float(sys.argv[2])
src = 'results/moby-gpt-tuned/adamw-wide/hparams.tuned.json' if opt == 'adamw' else 'results/moby-gpt-tuned/hparams.tuned.json'
e = json.load(open(src))['moby-gpt'][opt]
hp = dict(e['hp']); hp['lr'] = float('%.4g' % (hp['lr'] * f))
print(json.dumps({'hp': hp, 'source': f'2,000-step screen: {opt} at {f:.3g} x the 200-step tuned lr ({src})'}))
PY
}
i=0
for f in 0.333 1 3; do
  echo "{\"moby-gpt\": {\"adamw\": $(hp adamw $f), \"rfrmsprop\": $(hp rfrmsprop $f)}}" > $D/hp-screen-$i.json
  $R $D/screen-$i $CLI compare $B --optimizers adamw,rfrmsprop --seeds 1 --first-seed 101 --jobs 2 --threads 1 --resume --hparams $D/hp-screen-$i.json --out $D/screen-$i || exit 1
  i=$((i+1))
done
sel() { python3 results/select-lr.py moby-gpt bpc $1 $D/screen-*; }
for opt in adamw rfrmsprop; do
  s=$(sel $opt) || exit 1
  f=$(echo "$s" | python3 -c "import json,sys; s=json.load(sys.stdin); g=s['grid']; print('' if not s['atEdge'] else ('9' if s['lr']==max(g) else '0.111'))")
  # One extension only: once its hp file exists it is resumed (or kept, once finished), never extended again.
  ls $D/screen-ext-$opt/runs/*/*/*/result.json > /dev/null 2>&1 && continue
  if [ -f $D/hp-ext-$opt.json ] || [ -n "$f" ]; then
    [ -f $D/hp-ext-$opt.json ] || echo "{\"moby-gpt\": {\"$opt\": $(hp $opt $f)}}" > $D/hp-ext-$opt.json
    $R $D/screen-ext-$opt $CLI compare $B --optimizers $opt --seeds 1 --first-seed 101 --jobs 1 --threads 2 --resume --hparams $D/hp-ext-$opt.json --out $D/screen-ext-$opt || exit 1
  fi
done
python3 - <<'PY' > $D/hp-final.json
import glob, json, subprocess
out = {}
for opt in ('adamw', 'rfrmsprop'):
    s = json.loads(subprocess.check_output(['python3', 'results/select-lr.py', 'moby-gpt', 'bpc', opt, *sorted(glob.glob('results/claim2-gpt2k/screen-*'))]))
    r = [json.load(open(f)) for f in glob.glob(f"{s['dir']}/runs/{opt}/*/*/result.json")][0]
    out[opt] = {'hp': r['hp'], 'source': f"2,000-step screen selection: {json.dumps(s)}"}
print(json.dumps({'moby-gpt': out}, indent=1))
PY
$R $D/final $CLI compare $B --optimizers adamw,rfrmsprop --seeds 5 --first-seed 1 --jobs 2 --threads 1 --resume --reference adamw --hparams $D/hp-final.json --out $D/final
