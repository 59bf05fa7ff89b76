package org.ddpm4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.testkit.TensorBackendContract;
import org.junit.jupiter.api.Test;

class JavaBackendTest extends TensorBackendContract {

    @Override
    protected TensorBackend createBackend() {
        return new JavaBackend();
    }

    @Override
    protected double tolerance() {
        return 1e-12;
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

    @Test
    void tensorsCreatedOutsideAnyScopeLiveUntilClosed() {
        Tensor t = backend.zeros(3).add(2);
        assertEquals(6.0, t.sum());
        t.close();
        assertThrows(IllegalStateException.class, t::sum);
    }

    @Test
    void scopesMustCloseInReverseOrder() {
        TensorScope outer = backend.openScope();
        TensorScope inner = backend.openScope();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
    }
}
