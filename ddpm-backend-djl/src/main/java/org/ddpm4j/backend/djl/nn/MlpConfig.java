package org.ddpm4j.backend.djl.nn;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.Parameters;

/**
 * The hyper-parameters of the {@code mlp} network (docs/NETWORKS.md).
 *
 * @param hidden        width {@code H}
 * @param blocks        residual blocks
 * @param timeEmbedding sinusoidal embedding size {@code E} (even, at least 4)
 * @param timeScale     the network embeds {@code s = t * timeScale}
 * @param dropout       dropout rate inside the blocks
 */
record MlpConfig(int hidden, int blocks, int timeEmbedding, double timeScale, double dropout) {

    /** Reads and checks the keys of docs/NETWORKS.md; any other key is an error. */
    static MlpConfig from(Parameters p) {
        MlpConfig c = new MlpConfig(
                Checks.atLeast(p.qualify("hidden"), p.getInt("hidden", 128), 1),
                Checks.atLeast(p.qualify("blocks"), p.getInt("blocks", 3), 0),
                NetworkChecks.timeEmbedding(p.qualify("time_embedding"), p.getInt("time_embedding", 64)),
                Checks.positive(p.qualify("time_scale"), p.getDouble("time_scale", 1.0)),
                NetworkChecks.dropout(p.qualify("dropout"), p.getDouble("dropout", 0.0)));
        p.requireAllUsed();
        return c;
    }
}
