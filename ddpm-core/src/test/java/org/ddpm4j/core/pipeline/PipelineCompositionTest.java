package org.ddpm4j.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.ddpm4j.testkit.TrackingBackend;
import org.junit.jupiter.api.Test;

/** Guice at work: layers and listeners compose through multibindings, extensions add bindings, users override them. */
class PipelineCompositionTest {
    private static final PipelineConfig CONFIG = PipelineConfig.parse("""
            {"schedule": {"type": "geometric", "num_train_timesteps": 100},
             "sampler": {"type": "test-ddim", "steps": 10},
             "guidance": {"type": "test-scale", "factor": 2.0},
             "denoiser": {"type": "gmm", "weights": [1], "means": [[0.5]], "stds": [0.3]}}
            """);

    /** A decorator that records each evaluation under its name, then asks the inner denoiser. */
    private static DenoiserLayer recording(int order, String name, List<String> calls) {
        return DenoiserLayer.of(order, name, (inner, context) -> new Denoiser() {
            @Override
            public Parameterization parameterization() {
                return inner.parameterization();
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                calls.add(name);
                return inner.predict(x, t, condition);
            }
        });
    }

    @Test
    void layersWrapTheDenoiserInTheirStatedOrder() {
        List<String> calls = new ArrayList<>();
        try (Pipeline p = Pipelines.build(CONFIG, PluginRegistry.load(), new AbstractModule() {
            @Override
            protected void configure() {
                // bound in the "wrong" order on purpose: order(), not binding order, decides
                Pipelines.layers(binder()).addBinding().toInstance(recording(DenoiserLayer.AFTER_GUIDANCE, "log", calls));
                Pipelines.layers(binder()).addBinding().toInstance(recording(DenoiserLayer.MODEL, "cache", calls));
            }
        })) {
            assertEquals(List.of("cache", "test-scale", "log"), p.layers().stream().map(DenoiserLayer::name).toList());
            Tensor x = p.backend().fromHost(new double[] {0.2, -0.4}, 2, 1);
            double[] guided = p.model().predict(x, 40.0, Condition.none()).toDoubleArray();
            double[] plain = p.denoiser().orElseThrow().predict(x, 40.0, Condition.none()).toDoubleArray();
            assertEquals(List.of("log", "cache"), calls, "the outermost layer is asked first");
            assertArrayEquals(new double[] {2 * plain[0], 2 * plain[1]}, guided, 1e-12, "the guidance layer sits between them");
        }
    }

    @Test
    void extensionsFoundByServiceLoaderAddListenersToEveryRun() {
        long before = CountingExtension.STEPS.get();
        try (Pipeline p = Pipelines.build(CONFIG)) {
            p.sample(3, new int[] {1}, SampleOptions.defaults()).close();
        }
        assertEquals(10, CountingExtension.STEPS.get() - before, "one event per step of the 10-step sampler");
    }

    @Test
    void aUserOverridesABinding() {
        TrackingBackend tracking = new TrackingBackend(new JavaBackend());
        try (Pipeline p = Pipelines.build(CONFIG, PluginRegistry.load(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(TensorBackend.class).toInstance(tracking);
            }
        })) {
            assertSame(tracking, p.backend());
            try (Tensor x = p.sample(4, new int[] {1}, SampleOptions.defaults().withSeed(3))) {
                assertSame(tracking, x.backend());
                assertTrue(x.isFinite());
            }
        }
    }

    @Test
    void layersWithoutADenoiserAreAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pipelines.build(PipelineConfig.parse(
                "{\"schedule\": {\"type\": \"geometric\"}, \"guidance\": {\"type\": \"test-scale\"}}")));
        assertTrue(e.getMessage().contains("test-scale") && e.getMessage().contains("no denoiser"), e.getMessage());
    }

    @Test
    void closingThePipelineReleasesAModelThatOwnsMemoryThenTheBackend() {
        List<String> closed = new ArrayList<>();
        TensorBackend java = new JavaBackend();
        TensorBackend backend = (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        closed.add("backend");
                    }
                    try {
                        return method.invoke(java, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        class LoadedModel implements Denoiser, AutoCloseable {
            @Override
            public Parameterization parameterization() {
                return Parameterization.EPSILON;
            }

            @Override
            public Tensor predict(Tensor x, double[] t, Condition condition) {
                return x.mul(0);
            }

            @Override
            public void close() {
                closed.add("model");
            }
        }
        Pipeline p = Pipelines.build(CONFIG, PluginRegistry.load(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(TensorBackend.class).toInstance(backend);
                bind(new TypeLiteral<Optional<Denoiser>>() { }).toInstance(Optional.of(new LoadedModel()));
            }
        });
        assertEquals(List.of(), closed);
        p.close();
        assertEquals(List.of("model", "backend"), closed);
    }

    @Test
    void partsACallerLoadsAreReleasedOnceEachWithThePipelineAndWhenTheBuildFails() {
        for (boolean fail : new boolean[] {false, true}) {
            List<String> closed = new ArrayList<>();
            TensorBackend java = new JavaBackend();
            TensorBackend backend = (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            closed.add("backend");
                        }
                        try {
                            return method.invoke(java, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            AutoCloseable files = () -> closed.add("files");
            class LoadedView implements Denoiser {
                @Override
                public Parameterization parameterization() {
                    return Parameterization.EPSILON;
                }

                @Override
                public Tensor predict(Tensor x, double[] t, Condition condition) {
                    return x.mul(0);
                }
            }
            PipelineParts parts = PipelineParts.none().denoiser((b, schedule, owns) -> {
                assertSame(backend, b);
                owns.accept(files);
                owns.accept(files);
                return new LoadedView();
            });
            AbstractModule overrides = new AbstractModule() {
                @Override
                protected void configure() {
                    bind(TensorBackend.class).toInstance(backend);
                    if (fail) {
                        Pipelines.layers(binder()).addBinding().toInstance(DenoiserLayer.of(0, "refusing", (inner, context) -> {
                            throw new IllegalArgumentException("refused");
                        }));
                    }
                }
            };
            if (fail) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Pipelines.build(CONFIG, PluginRegistry.load(), parts, overrides));
                assertEquals("refused", e.getMessage());
            } else {
                Pipeline p = Pipelines.build(CONFIG, PluginRegistry.load(), parts, overrides);
                assertTrue(p.denoiser().orElseThrow() instanceof LoadedView);
                assertEquals(List.of(), closed);
                p.close();
            }
            // a failed build releases what it loaded; the backend here is the caller's own instance, so it stays open
            assertEquals(fail ? List.of("files") : List.of("files", "backend"), closed, fail ? "after a failed build" : "after close");
        }
    }
}
