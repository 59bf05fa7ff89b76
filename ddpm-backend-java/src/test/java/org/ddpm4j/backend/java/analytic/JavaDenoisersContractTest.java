package org.ddpm4j.backend.java.analytic;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.plugin.DenoiserFactory;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.backend.java.JavaPlugin;
import org.ddpm4j.testkit.DenoiserContract;
import org.junit.jupiter.api.Named;

/** Every denoiser of {@link JavaPlugin} passes the denoiser contract; a new one fails here until it has example parameters. */
class JavaDenoisersContractTest extends DenoiserContract {
    private static final Map<String, Parameters> EXAMPLES = Map.of(
            "gmm", Parameters.of("weights", List.of(0.3, 0.7), "means", List.of(List.of(-1.0, 0.5), List.of(1.0, -0.5)),
                    "stds", List.of(0.3, 0.2)),
            "points", Parameters.of("points", List.of(List.of(0.0, 1.0), List.of(1.0, 0.0), List.of(-1.0, -1.0))));

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    @Override
    protected List<Named<Denoiser>> denoisers(TensorBackend backend, Schedule schedule) {
        List<Named<Denoiser>> all = new ArrayList<>();
        for (DenoiserFactory factory : new JavaPlugin().denoisers()) {
            Parameters p = EXAMPLES.get(factory.name());
            assertNotNull(p, "no example parameters for the denoiser '" + factory.name() + "'");
            all.add(Named.of(factory.name(), factory.create(backend, schedule, p)));
        }
        all.add(Named.of("gmm conditional=true", factory("gmm").create(backend, schedule, EXAMPLES.get("gmm").with("conditional", true))));
        return all;
    }

    private static DenoiserFactory factory(String name) {
        return new JavaPlugin().denoisers().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
