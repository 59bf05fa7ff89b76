package org.ddpm4j.core.plugin;

import java.util.List;
import org.ddpm4j.api.plugin.SamplerFactory;
import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.plugin.ScheduleFactory;

/** Deliberately broken plugins, each failing in one way a third-party jar can. */
public final class BrokenPlugins {
    private BrokenPlugins() {
    }

    public static final class ThrowingConstructor implements Plugin {
        public ThrowingConstructor() {
            throw new IllegalStateException("constructor boom");
        }
    }

    public static final class FailingStaticInitializer implements Plugin {
        private static final int VALUE = fail();

        private static int fail() {
            throw new IllegalStateException("static initializer boom");
        }

        public FailingStaticInitializer() {
            System.out.println(VALUE);
        }
    }

    public static final class ThrowingSamplers implements Plugin {
        @Override
        public List<SamplerFactory> samplers() {
            throw new UnsupportedOperationException("no samplers today");
        }
    }

    public static final class NullName implements Plugin {
        @Override
        public List<ScheduleFactory> schedules() {
            return List.of(ScheduleFactory.of(null, "a schedule without a name", p -> null));
        }
    }

    /** Registers fine; its factories fail when used. */
    public static final class BadCreate implements Plugin {
        @Override
        public List<SamplerFactory> samplers() {
            return List.of(SamplerFactory.of("test-npe", "throws a NullPointerException", (schedule, p) -> {
                throw new NullPointerException("a field was never set");
            }), SamplerFactory.of("test-null", "returns null", (schedule, p) -> null));
        }
    }
}
