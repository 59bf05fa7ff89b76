package org.ddpm4j.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The models an executor JVM keeps loaded between tasks, keyed by what was loaded (a {@link ModelRef}
 * and how). A task borrows one and gives it back; the next task of the same job on this executor
 * gets it without loading anything. Models are not shared by tasks running at once (a backend's
 * scopes and native handles are not meant for concurrent runs), so an executor with {@code c} task
 * slots loads a model at most {@code c} times, once per slot, for the whole job. Idle models of
 * another key are closed when a new key is borrowed, so an executor holds one job's models.
 */
final class ExecutorModels {
    private static final Map<Object, Deque<AutoCloseable>> IDLE = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** A model of {@code key}: an idle one, else a new one from {@code load} (loaded outside the lock). */
    static <T extends AutoCloseable> T borrow(Object key, Class<T> type, Supplier<T> load) {
        List<AutoCloseable> stale = new ArrayList<>();
        AutoCloseable idle;
        synchronized (IDLE) {
            for (Iterator<Map.Entry<Object, Deque<AutoCloseable>>> it = IDLE.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Object, Deque<AutoCloseable>> e = it.next();
                if (!e.getKey().equals(key)) {
                    stale.addAll(e.getValue());
                    it.remove();
                }
            }
            Deque<AutoCloseable> free = IDLE.get(key);
            idle = free == null ? null : free.pollFirst();
        }
        stale.forEach(ExecutorModels::closeQuietly);
        if (idle != null) {
            return type.cast(idle);
        }
        LOADS.incrementAndGet();
        return load.get();
    }

    /** Gives {@code model} back for the next task of {@code key}. */
    static void giveBack(Object key, AutoCloseable model) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(model);
        }
    }

    /** Closes a model that failed mid-task instead of giving it back (its state is unknown). */
    static void discard(AutoCloseable model) {
        closeQuietly(model);
    }

    /** How many models this JVM has loaded (tests: once per task slot, not once per task). */
    static int loads() {
        return LOADS.get();
    }

    /** Closes every idle model (tests, and a driver that ran tasks in local mode before exiting). */
    static void closeAll() {
        List<AutoCloseable> all = new ArrayList<>();
        synchronized (IDLE) {
            IDLE.values().forEach(all::addAll);
            IDLE.clear();
        }
        all.forEach(ExecutorModels::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing memory of a model no task uses: nothing to report to a task
        }
    }
}
