package org.ddpm4j.core.training;

import java.nio.file.Path;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.path.FlowSchedule;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.training.Objective;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.OptimizerSettings;
import org.ddpm4j.api.training.TrainableClassifier;
import org.ddpm4j.api.training.TrainableDenoiser;
import org.ddpm4j.core.plugin.PluginRegistry;

/** Loads trained models from a checkpoint directory, on any backend that builds networks. */
public final class Models {
    private Models() {
    }

    /** A denoiser network with the schedule it was trained with. */
    public record LoadedDenoiser(ModelCard card, Schedule schedule, TrainableDenoiser network) implements AutoCloseable {
        /** The EMA weights: what sampling should use. */
        public Denoiser ema() {
            return network.ema();
        }

        @Override
        public void close() {
            network.close();
        }
    }

    /** A classifier network with the schedule its training noise came from. */
    public record LoadedClassifier(ModelCard card, Schedule schedule, TrainableClassifier network) implements AutoCloseable {
        @Override
        public void close() {
            network.close();
        }
    }

    public static LoadedDenoiser loadDenoiser(Path dir, TensorBackend backend, PluginRegistry registry) {
        CheckpointStore store = new CheckpointStore(dir);
        ModelCard card = expect(store, "denoiser");
        Schedule schedule = schedule(card, registry);
        requireConsistent(card, schedule, store.dir().resolve(ModelCard.FILE).toString());
        TrainableDenoiser network = networks(backend).newDenoiser(card.spec(), OptimizerSettings.defaults());
        try {
            network.importState(latest(store).state());
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return new LoadedDenoiser(card, schedule, network);
    }

    public static LoadedClassifier loadClassifier(Path dir, TensorBackend backend, PluginRegistry registry) {
        CheckpointStore store = new CheckpointStore(dir);
        ModelCard card = expect(store, "classifier");
        TrainableClassifier network = networks(backend).newClassifier(card.spec(), OptimizerSettings.defaults());
        try {
            network.importState(latest(store).state());
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return new LoadedClassifier(card, schedule(card, registry), network);
    }

    /** The card's path (schedule), objective and parameterization must agree; each mismatch is named. */
    static void requireConsistent(ModelCard card, Schedule schedule, String source) {
        boolean flowPath = schedule instanceof FlowSchedule;
        if (!card.objective().isEmpty() && card.flowMatching() != flowPath) {
            throw new InvalidParameterException(source + ".objective.type", card.objective().get("type"), "does not match the card's schedule '"
                    + schedule.name() + "', " + (flowPath ? "a flow path (flow-matching)" : "a diffusion schedule (denoising)"));
        }
        try {
            Objective.requireMatch(schedule, card.spec().parameterization());
        } catch (InvalidParameterException e) {
            throw new InvalidParameterException(source + ".parameterization", card.spec().parameterization().diffusersName(),
                    "does not match the card's schedule '" + schedule.name() + "': the flow velocity is learnt on a flow path");
        }
    }

    private static ModelCard expect(CheckpointStore store, String kind) {
        ModelCard card = store.card();
        if (!card.kind().equals(kind)) {
            throw new InvalidParameterException("checkpoint", store.dir().toString(), "holds a " + card.kind() + ", not a " + kind);
        }
        return card;
    }

    private static CheckpointStore.Checkpoint latest(CheckpointStore store) {
        return store.latest().orElseThrow(() -> new InvalidParameterException("checkpoint", store.dir().toString(),
                "has a model card but no complete checkpoint yet"));
    }

    private static NetworkBackend networks(TensorBackend backend) {
        if (backend instanceof NetworkBackend n) {
            return n;
        }
        throw new InvalidParameterException("backend", backend.name(), "cannot run neural networks; use djl or tf");
    }

    private static Schedule schedule(ModelCard card, PluginRegistry registry) {
        return registry.createSchedule(card.schedule().type(), Parameters.of(card.schedule().parameters()));
    }
}
