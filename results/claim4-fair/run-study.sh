#!/bin/bash
# Claim 4, fairly (session 6): ViT at the medium budget with the tuned values of results/vit-medium,
# seeds 2-4 (seed 1 was the tuning seed). bf16 and fp32 optimizer state, each with IF-Shampoo,
# Shampoo (eigen root in float64 of the stored factors: bf16-stored in bf16) and Shampoo with the
# fair Newton root (tolerance 2^-5, relative eps 1e-2; `shampoo-newton-fair`). Newton iterations
# and residuals per epoch: `inverseRoots` in each run's metrics.jsonl. Resumable: rerun.
cd /work/main
while pgrep -f claim1-fit/pilot/run-screen.sh >/dev/null; do sleep 20; done
R="results/run-logged.sh"; CLI="node .tmp/study/snap6b/packages/lab/bin/rootfree.js"
D=results/claim4-fair
cp .tmp/study/snap6b/COMMIT $D/CODE_COMMIT
B="--budget quick --epochs 3 --train-subset 12288 --val-subset 2000 --test-subset 10000"
for prec in bf16 fp32; do
  $R $D/$prec $CLI compare --task fmnist-vit --optimizers ifshampoo,shampoo,shampoo-newton-fair --precision $prec --seeds 3 --first-seed 2 $B --jobs 2 --threads 1 --resume --reference shampoo --hparams $D/hparams.json --out $D/$prec || echo "$prec failed"
done
