package org.ddpm4j.spark;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.TaskFailureListener;
import org.ddpm4j.spark.LoadedSampler.SampleBatch;
import org.ddpm4j.spark.SamplingJob.IndexRange;

/**
 * The task side of a sampling job: the samples of one index range, batch by batch, drawn lazily with
 * the model this executor keeps loaded ({@link ExecutorModels}). The model goes back to the executor
 * when the task ends well and is closed when it fails.
 */
final class RangeBatches implements Iterator<SampleBatch> {
    /** What an executor keeps loaded for a job: the model, and whether a mixture's components are its classes. */
    record ModelKey(ModelRef model, boolean componentsAsClasses) {
    }

    private final SamplingJob job;
    private final IndexRange range;
    private final ModelKey key;
    private final LoadedSampler model;
    private final int attempt;
    private long next;
    private int batches;
    private boolean released;

    RangeBatches(SamplingJob job, IndexRange range) {
        this.job = job;
        this.range = range;
        this.key = new ModelKey(job.model(), job.componentsAsClasses());
        this.model = ExecutorModels.borrow(key, LoadedSampler.class, () -> LoadedSampler.load(job.model(), job.componentsAsClasses()));
        this.next = range.first();
        TaskContext task = TaskContext.get();
        this.attempt = task == null ? 0 : task.attemptNumber();
        if (task != null) {
            task.addTaskFailureListener((TaskFailureListener) (context, error) -> discard());
            task.addTaskCompletionListener((TaskCompletionListener) context -> giveBack());
        }
        try {
            job.condition(range.first(), 1, model.numClasses());     // a class the model lacks fails before any sampling
            model.checkBatchIndependent(job);
        } catch (RuntimeException e) {
            discard();
            throw e;
        }
    }

    int[] sampleShape() {
        return model.sampleShape();
    }

    @Override
    public boolean hasNext() {
        return next < range.first() + range.count();
    }

    @Override
    public SampleBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("range " + range + " is done");
        }
        int count = job.batchAt(next, range.first() + range.count());
        SampleBatch batch = model.sample(job, next, count);
        next += count;
        TaskHooks.afterBatch(range, batches++, attempt);
        if (!hasNext() && TaskContext.get() == null) {
            giveBack();                   // outside Spark (no completion listener): the last batch releases the model
        }
        return batch;
    }

    private synchronized void giveBack() {
        if (!released) {
            released = true;
            ExecutorModels.giveBack(key, model);
        }
    }

    private synchronized void discard() {
        if (!released) {
            released = true;
            ExecutorModels.discard(model);
        }
    }
}
