#!/usr/bin/env bash
# Samples/s of 'ddpm sample' against ddpm-spark 'sample' on local[1] and local[2] on this machine, same model,
# sampler and threads per task, in alternating rounds (docs/BENCHMARKS.md, "Spark: distributed sampling overhead").
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
      cli-t1) line=$("$root/ddpm" sample --checkpoint "$model" "${common[@]}" --threads 1 --out "$out/x.npy" 2>/dev/null | grep '^wrote') ;;
      cli-t2) line=$("$root/ddpm" sample --checkpoint "$model" "${common[@]}" --threads 2 --out "$out/x.npy" 2>/dev/null | grep '^wrote') ;;
      spark-local1) line=$("$root/ddpm-spark/spark-local" sample --master 'local[1]' --model "checkpoint:$model" "${common[@]}" --threads 1 \
                      --partitions 4 --batch 5000 --format npy --out "$out/x" 2>/dev/null | grep '^wrote') ;;
      spark-local2) line=$("$root/ddpm-spark/spark-local" sample --master 'local[2]' --model "checkpoint:$model" "${common[@]}" --threads 1 \
                      --partitions 4 --batch 5000 --format npy --out "$out/x" 2>/dev/null | grep '^wrote') ;;
    esac
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    # the command's own time: sampling and writing (CLI), or the Spark job with its model loads (after the session started)
    inner=$(echo "$line" | grep -oE '[0-9]+\.[0-9]+ s' | head -n 1 | cut -d' ' -f1)
    printf '%s round=%d wall_s=%.2f run_s=%s\n' "$kind" "$r" "$wall" "$inner"
  done
done | tee "$out/results.txt"
/usr/bin/python3 - "$out/results.txt" "$n" <<'PY'
import sys, statistics, collections
n = int(sys.argv[2]); runs = collections.defaultdict(lambda: ([], []))
for line in open(sys.argv[1]):
    f = dict(kv.split('=') for kv in line.split()[1:]); k = line.split()[0]
    runs[k][0].append(float(f['wall_s'])); runs[k][1].append(float(f['run_s']))
base = statistics.median(runs['cli-t1'][1])
print(f"{'run':14} {'median wall s':>14} {'median run s':>13} {'samples/s (run)':>16} {'vs cli-t1':>10}")
for k, (w, r) in runs.items():
    m = statistics.median(r)
    print(f"{k:14} {statistics.median(w):14.2f} {m:13.2f} {n / m:16.0f} {base / m:9.2f}x")
PY
uptime
