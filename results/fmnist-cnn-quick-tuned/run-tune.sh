#!/usr/bin/env bash
# Tuning behind `npx rootfree compare`'s committed values (fmnist-cnn, quick budget): the same
# 2-stage random search for every method (6 + 6 trials; stage 3 only where the best trial sat at a
# range edge), selection on the validation split, trial seeds 10001.. (disjoint from final seeds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=results/fmnist-cnn-quick-tuned
for o in sgd adamw rfrmsprop rfadamw ifshampoo shampoo; do
  npx rootfree tune --task fmnist-cnn --budget quick --optimizer "$o" --trials 6 --stage2 --extend-edges --seed 1 \
    --out "$out/$o" --hparams "$out/hparams.tuned.json"
done
