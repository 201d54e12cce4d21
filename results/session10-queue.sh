#!/bin/bash
# Session 10 compute queue: what is left of session 9's after the re-tunes finished, the claim-1
# stress test F2 (20% label noise). Resumable: rerun. (session9-queue.sh would first re-run the
# finished re-tunes as no-ops, appending to their logs.)
cd /work/main
bash results/claim1-fit/run-fallback.sh noise "--budget full --label-noise 0.2 --test-every 10" "--budget full --label-noise 0.2 --epochs 120 --test-every 10"
