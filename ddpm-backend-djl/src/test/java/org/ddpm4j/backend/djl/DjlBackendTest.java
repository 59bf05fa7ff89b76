package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.testkit.TensorBackendContract;
import org.junit.jupiter.api.Test;

class DjlBackendTest extends TensorBackendContract {

    @Override
    protected TensorBackend createBackend() {
        return new DjlBackend("cpu");
    }

    private DjlBackend djl() {
        return (DjlBackend) backend;
    }

    @Test
    void aTensorUsedAfterItsScopeClosedFailsLoudly() {
        Tensor leaked;
        try (TensorScope scope = backend.openScope()) {
            leaked = backend.zeros(2, 2).add(1);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, leaked::sum);
        assertTrue(e.getMessage().contains("used after it was closed"), e.getMessage());
    }

    @Override
    protected double tolerance() {
        return 1e-5; // float32: about 1e-7 per operation, and the contract's 200-step loop accumulates it
    }

    @Test
    void resultsOfOperationsOnACarriedStateDieWithTheStepScope() {
        Tensor state = backend.fromHost(new float[] {1, 2, 3, 4}, 2, 2);
        int before = djl().liveArrays();
        for (int step = 0; step < 50; step++) {
            try (TensorScope scope = backend.openScope()) {
                Tensor next = state.linear(0.5, state.square().clampPerSample(new double[] {1, 2}), 0.25).mulPerSample(new double[] {1, 1});
                assertTrue(next.isFinite());
                next.absQuantilePerSample(0.5);
                next.sumPerSample();
                Tensor previous = state;
                state = scope.keep(next);
                previous.close();
            }
            assertEquals(before, djl().liveArrays(), "live arrays after step " + step);
        }
    }

    @Test
    void operationsOutsideAnyScopeLeaveOnlyTheirResult() {
        Tensor x = backend.fromHost(new float[] {1, -2, 3, -4}, 2, 2);
        int before = djl().liveArrays();
        x.sum();
        x.sumPerSample();
        x.isFinite();
        x.absQuantilePerSample(0.9);
        assertEquals(before, djl().liveArrays(), "reductions leave nothing behind");
        List<Supplier<Tensor>> operations = List.of(() -> x.linear(2, x, 3), () -> x.clampPerSample(new double[] {1, 1}),
                () -> x.mulPerSample(new double[] {2, 2}), () -> backend.concat(List.of(x, x)), () -> x.slice(0, 1), () -> x.reshape(4));
        for (Supplier<Tensor> operation : operations) {
            Tensor y = operation.get();
            assertEquals(before + 1, djl().liveArrays(), "only the result remains");
            y.close();
            assertEquals(before, djl().liveArrays());
        }
    }

    @Test
    void scopesMustCloseInReverseOrder() {
        TensorScope outer = backend.openScope();
        TensorScope inner = backend.openScope();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void namesItsDevice() {
        assertEquals("djl", backend.name());
        assertEquals("cpu", backend.device());
    }
}
