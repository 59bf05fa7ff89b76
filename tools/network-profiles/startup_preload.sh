#!/bin/bash
# Time to a first sample (`ddpm sample` of a 20-step moons MLP, 10 samples, 10 steps) with and without
# the native preload (docs/BENCHMARKS.md, "On a quiet machine, one and two threads"), alternating:
# TREE_A is a built checkout as it is, TREE_B the same checkout with `return;` as the first line of
# NativePreload.start (ddpm-core), built with `./mvnw -B -o -q -pl ddpm-examples -am package -DskipTests`.
#
#   ./ddpm train --dataset moons --steps 20 --backend djl --out /tmp/tiny-djl   # and tf
#   tools/network-profiles/startup_preload.sh TREE_A TREE_B 4
set -euo pipefail
a=$1 b=$2 rounds=$3
seconds() { # tree backend
  local cp start
  cp="$(cat "$1/ddpm-examples/target/classpath.txt"):$(ls "$1"/ddpm-examples/target/ddpm-examples-*.jar)"
  start=$(date +%s.%N)
  java -cp "$cp" org.ddpm4j.examples.cli.Ddpm sample --checkpoint "/tmp/tiny-$2" --n 10 --steps 10 \
      --out "/tmp/startup-$2.npy" > /dev/null 2>&1
  echo "$(date +%s.%N) - $start" | bc
}
for r in $(seq "$rounds"); do
  for backend in djl tf; do
    if (( r % 2 )); then ta=$(seconds "$a" $backend); tb=$(seconds "$b" $backend)
    else tb=$(seconds "$b" $backend); ta=$(seconds "$a" $backend); fi
    echo "round $r $backend A $ta s  B $tb s  load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
