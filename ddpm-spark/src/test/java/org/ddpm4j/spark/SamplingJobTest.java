package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.spark.SamplingJob.IndexRange;
import org.junit.jupiter.api.Test;

/** How a job cuts its indices: whole batches per range, so every batch is one that {@code ddpm sample --batch B} draws. */
class SamplingJobTest {
    private static final ModelRef MODEL = ModelRef.of("gmm:mixture.json");

    @Test
    void rangesHoldWholeBatchesAndCoverTheRunInOrder() {
        SamplingJob job = new SamplingJob(MODEL, 37, 100, 1, null, 5, 3);      // 8 batches: 3 + 3 + 2
        List<IndexRange> ranges = job.ranges();
        assertEquals(List.of(new IndexRange(0, 100, 15), new IndexRange(1, 115, 15), new IndexRange(2, 130, 7)), ranges);
        assertEquals(List.of(5, 5, 5, 5, 5, 5, 5, 2), batches(job, ranges));
    }

    @Test
    void morePartitionsThanBatchesAreMerged() {
        SamplingJob job = new SamplingJob(MODEL, 10, 0, 1, null, 4, 8);
        assertEquals(3, job.partitions());
        assertEquals(List.of(4, 4, 2), batches(job, job.ranges()));
    }

    /** The batch sizes the tasks draw, range after range. */
    private static List<Integer> batches(SamplingJob job, List<IndexRange> ranges) {
        List<Integer> sizes = new ArrayList<>();
        for (IndexRange r : ranges) {
            for (long next = r.first(); next < r.first() + r.count(); ) {
                int count = job.batchAt(next, r.first() + r.count());
                sizes.add(count);
                next += count;
            }
        }
        return sizes;
    }
}
