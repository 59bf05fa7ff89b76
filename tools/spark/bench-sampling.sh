#!/usr/bin/env bash
# Samples/s of 'ddpm sample' against 'ddpm-spark bench' (the sample job, several rounds in one session) on local[1]
# and local[2], same model, sampler and threads per task, in alternating rounds
# (docs/BENCHMARKS.md, "Spark: distributed sampling against the plain CLI").
# Usage: tools/spark/bench-sampling.sh CHECKPOINT_DIR [N] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="$1"; n="${2:-40000}"; rounds="${3:-3}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
common=(--sampler ddim --steps 50 --n "$n" --seed 1)
uptime
for r in $(seq 1 "$rounds"); do
  for kind in cli-t1 cli-t2 spark-local1 spark-local2; do
    rm -rf "$out/x" "$out/x.npy"
    start=$(date +%s.%N)
    case "$kind" in
      cli-t*) log=$("$root/ddpm" sample --checkpoint "$model" "${common[@]}" --threads "${kind#cli-t}" --out "$out/x.npy" 2>/dev/null) ;;
      spark-local*) log=$("$root/ddpm-spark/spark-local" bench --master "local[${kind#spark-local}]" --model "checkpoint:$model" "${common[@]}" \
                       --threads 1 --partitions 4 --batch 5000 --format npy --rounds 3 --out "$out/x" 2>/dev/null) ;;
    esac
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    if [[ "$kind" == cli-* ]]; then
      # the command's own time: sampling and writing, after the model loaded
      run=$(echo "$log" | grep '^wrote' | grep -oE '[0-9]+\.[0-9]+ s' | head -n 1 | cut -d' ' -f1)
      printf '%s round=%d wall_s=%.2f run_s=%s\n' "$kind" "$r" "$wall" "$run"
    else
      # session start; round 1 (each executor slot loads the model); later rounds (models kept loaded)
      session=$(echo "$log" | grep '^session' | grep -oE '[0-9]+\.[0-9]+ s' | cut -d' ' -f1)
      cold=$(echo "$log" | grep '^round 1:' | grep -oE '[0-9]+\.[0-9]+ s,' | cut -d' ' -f1)
      warm=$(echo "$log" | grep -E '^round [2-9]:' | grep -oE '[0-9]+\.[0-9]+ s,' | cut -d' ' -f1 | sort -n | head -n 1)
      printf '%s round=%d wall_s=%.2f session_s=%s cold_s=%s run_s=%s\n' "$kind" "$r" "$wall" "$session" "$cold" "$warm"
    fi
  done
done | tee "$out/results.txt"
/usr/bin/python3 - "$out/results.txt" "$n" <<'PY'
import sys, statistics, collections
n = int(sys.argv[2]); runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    k = line.split()[0]
    for kv in line.split()[1:]:
        key, v = kv.split('=')
        if key != 'round':
            runs[k][key].append(float(v))
base = statistics.median(runs['cli-t1']['run_s'])
med = lambda k, key: statistics.median(runs[k][key]) if runs[k].get(key) else float('nan')
print(f"{'run':14} {'wall s':>8} {'session s':>10} {'cold s':>8} {'run s':>8} {'samples/s':>10} {'vs cli-t1':>10}")
for k in runs:
    m = med(k, 'run_s')
    print(f"{k:14} {med(k, 'wall_s'):8.2f} {med(k, 'session_s'):10.2f} {med(k, 'cold_s'):8.2f} {m:8.2f} {n / m:10.0f} {base / m:9.2f}x")
PY
uptime
