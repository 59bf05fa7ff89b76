package org.ddpm4j.backend.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.schedule.DiscreteSchedule;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.junit.jupiter.api.Test;

/** The backend as a plugin: selection by name, its parameters, devices and memory. */
class TfBackendTest {

    @Test
    void isSelectedByNameThroughTheRegistry() {
        try (TensorBackend b = Fixtures.REGISTRY.createBackend("tf", Parameters.of("device", "cpu", "intra_op_threads", 2, "inter_op_threads", 1))) {
            assertEquals("tf", b.name());
            assertEquals("cpu", b.device());
            assertInstanceOf(NetworkBackend.class, b);
            assertEquals(2, ((TfBackend) b).settings().intraOpThreads());
            assertEquals(1, ((TfBackend) b).settings().interOpThreads(), "given inter-op threads are kept");
        }
        try (TensorBackend b = Fixtures.REGISTRY.createBackend("tf", Parameters.of("threads", 2))) {
            assertEquals(2, ((TfBackend) b).settings().intraOpThreads(), "threads is the intra-op thread count, as on every backend");
            assertEquals(2, ((TfBackend) b).settings().interOpThreads(), "the inter-op threads follow unless given");
        }
        try (TensorBackend b = Fixtures.REGISTRY.createBackend("tf", Parameters.empty())) {
            assertEquals(new TfSettings(false, 0, 1, 1), ((TfBackend) b).settings(), "one thread of each: the repeatable default");
        }
    }

    @Test
    void rejectsBadParametersNamingThem() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("device", "tpu")));
        assertTrue(e.getMessage().contains("backend.device") && e.getMessage().contains("cpu, gpu or gpu:N"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("intra_op_threads", 0)));
        assertTrue(e.getMessage().contains("intra_op_threads"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("threads", 0)));
        assertTrue(e.getMessage().contains("backend.threads = 0"), e.getMessage());
        e = assertThrows(InvalidParameterException.class,
                () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("threads", 2, "intra_op_threads", 2)));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
        e = assertThrows(InvalidParameterException.class, () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("thread", 4)));
        assertTrue(e.getMessage().contains("backend.thread") && e.getMessage().contains("inter_op_threads"), e.getMessage());
    }

    @Test
    void aGpuThatIsNotThereIsAClearError() {
        // The CPU natives never see a GPU; with the GPU natives this fails only on machines without one.
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Fixtures.REGISTRY.createBackend("tf", Parameters.of("device", "gpu:0")));
        assertTrue(e.getMessage().contains("backend.device = 'gpu:0'") && e.getMessage().contains("-Pcuda")
                && e.getMessage().contains("CUDA 12"), e.getMessage());
    }

    @Test
    void aLongScopedSamplingLoopHoldsNoMoreNativeTensorsAndNoMoreMemory() {
        DiscreteSchedule schedule = Fixtures.linear(1000);
        try (TfBackend backend = new TfBackend()) {
            TrainableDenoiser net = backend.newDenoiser(Fixtures.mlp(2, 0), OptimizerSettings.defaults());
            Tensor noise = backend.randn(new GaussianNoise(1), 256, 2);
            for (int run = 0; run < 6; run++) { // warm-up: allocator pools, JIT
                Fixtures.ddim(net.ema(), schedule, noise, 50, Condition.repeat(1, 256)).close();
            }
            System.gc();
            long tensors = backend.liveTensors();
            long rss = Fixtures.residentBytes();
            Tensor x = null;
            for (int run = 0; run < 60; run++) { // 60 runs of 50 steps of the real sampler
                if (x != null) {
                    x.close();
                }
                x = Fixtures.ddim(net.ema(), schedule, noise, 50, Condition.repeat(1, 256));
            }
            System.gc();
            long grown = Fixtures.residentBytes() - rss;
            assertEquals(tensors + 1, backend.liveTensors(), "only the result is still held after 3000 steps");
            assertTrue(grown < 24L << 20, "resident memory grew by " + (grown >> 20) + " MB over 3000 steps");
            assertTrue(x.isFinite());
        }
    }
}
