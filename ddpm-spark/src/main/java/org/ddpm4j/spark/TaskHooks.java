package org.ddpm4j.spark;

import org.ddpm4j.spark.SamplingJob.IndexRange;

/**
 * A seam for fault-injection tests: called after each batch a task draws, with its range, the
 * batch number within the range and Spark's attempt number, it may throw to fail the task mid-range.
 * Does nothing unless a test in this package sets it (in local mode executors share its JVM).
 */
final class TaskHooks {
    /** What to run after a batch. */
    @FunctionalInterface
    interface AfterBatch {
        void run(IndexRange range, int batch, int attempt);
    }

    private static volatile AfterBatch afterBatch = (range, batch, attempt) -> { };

    private TaskHooks() {
    }

    static void afterBatch(IndexRange range, int batch, int attempt) {
        afterBatch.run(range, batch, attempt);
    }

    static void set(AfterBatch hook) {
        afterBatch = hook;
    }

    static void reset() {
        afterBatch = (range, batch, attempt) -> { };
    }
}
