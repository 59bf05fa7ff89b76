#!/usr/bin/env bash
# The TensorFlow backend benchmarks of docs/BENCHMARKS.md. Arguments go to TfBenchmark:
# [intra_op_threads (1)] [unet channels (32)] [steps of the RSS loop (100000)].
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -B -o -q -pl ddpm-backend-tf -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
module=ddpm-backend-tf
exec java -cp "$module/target/test-classes:$module/target/classes:$(cat $module/target/test-classpath.txt)" \
  org.ddpm4j.backend.tf.TfBenchmark "$@"
