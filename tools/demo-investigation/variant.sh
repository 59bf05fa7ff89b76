#!/usr/bin/env bash
# Trains the demo's model with one change (demo options after TAG), then samples it with
# DPM-Solver++ on steps uniform in log-SNR (25 and 50 steps, seed 2) and prints the C2ST of each.
# usage: tools/demo-investigation/variant.sh TAG [ddpm demo options...]   (run from the repository root)
set -euo pipefail
tag=$1; shift
out=runs/investigation/$tag
tools=$(dirname "$0")
[ -d "$out/model" ] || ./ddpm demo --out "$out" --sampler dpmsolver++ --steps 25 --param use_lu_lambdas=false "$@" | tail -9
for steps in 25 50; do
  ./ddpm sample --checkpoint "$out/model" --n 2000 --seed 2 --sampler dpmsolver++ --steps $steps \
      --param use_lu_lambdas=true --out "$out/lu$steps.npy" > /dev/null
  echo -n "$tag lu$steps: "; python3 "$tools/c2st.py" "$out/lu$steps.npy"
done
