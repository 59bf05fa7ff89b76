package org.ddpm4j.toolkit.sampling;

import java.util.ArrayDeque;
import java.util.Deque;
import org.ddpm4j.api.tensor.Tensor;

/**
 * The last {@code capacity} tensors a multistep method remembers across steps (model outputs of the
 * previous steps). Pushed tensors outlive their step; the oldest is released when a new one pushes
 * it out, the rest when the run closes, so memory stays flat however long the run.
 */
public final class History implements AutoCloseable {
    private final int capacity;
    private final Deque<Tensor> entries = new ArrayDeque<>();

    public History(int capacity) {
        this.capacity = capacity;
    }

    /** Remembers {@code tensor} (kept past {@code step}), forgetting the oldest beyond capacity. */
    public void push(Tensor tensor, Step step) {
        entries.addFirst(step.keep(tensor));
        while (entries.size() > capacity) {
            entries.removeLast().close();
        }
    }

    /** The entry {@code back} pushes ago: 0 is the newest. */
    public Tensor get(int back) {
        int k = 0;
        for (Tensor t : entries) {
            if (k++ == back) {
                return t;
            }
        }
        throw new IndexOutOfBoundsException("history holds " + entries.size() + " entries, asked for " + back + " back");
    }

    public int size() {
        return entries.size();
    }

    /** Forgets and releases everything. */
    public void clear() {
        entries.forEach(Tensor::close);
        entries.clear();
    }

    @Override
    public void close() {
        clear();
    }
}
