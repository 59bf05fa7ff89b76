package org.ddpm4j.backend.tf;

import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.training.NetworkSpec;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The {@code mlp} of {@code docs/NETWORKS.md} for points {@code x in R^d}: a sinusoidal time
 * embedding through a two-layer MLP (plus the class embedding), then residual blocks
 * {@code h <- h + W1 Dropout(SiLU(W0 SiLU(h) + Wt SiLU(e)))} and a linear output of SiLU(h).
 * As a classifier trunk, the output layer is the head {@code "head"} giving K logits.
 *
 * @param dimension     d
 * @param hidden        width H
 * @param blocks        residual blocks
 * @param timeEmbedding E, the width of the sinusoidal embedding
 * @param timeScale     the embedding sees {@code t * timeScale}
 * @param dropout       dropout rate inside the blocks
 * @param classes       classes of the class embedding (0: none)
 * @param logits        outputs of the classifier head (0: a denoiser)
 * @param outputs       outputs of a denoiser: d, or 2d with a variance output
 */
record Mlp(int dimension, int hidden, int blocks, int timeEmbedding, double timeScale, double dropout, int classes, int logits, int outputs)
        implements Architecture {

    static Mlp of(NetworkSpec spec, Parameters p, boolean classifier) {
        int d = Architecture.sampleShape(spec, 1, "sample_shape [d]")[0];
        int e = p.getInt("time_embedding", 64);
        if (e < 4 || e % 2 != 0) {
            throw new InvalidParameterException(p.qualify("time_embedding"), e, "must be an even number >= 4");
        }
        return new Mlp(d, Checks.atLeast(p.qualify("hidden"), p.getInt("hidden", 128), 1),
                Checks.atLeast(p.qualify("blocks"), p.getInt("blocks", 3), 0), e,
                Checks.positive(p.qualify("time_scale"), p.getDouble("time_scale", 1.0)),
                dropout(p, 0.0), classifier ? 0 : spec.numClasses(), classifier ? spec.numClasses() : 0, classifier ? 0 : spec.outputChannels());
    }

    static double dropout(Parameters p, double defaultRate) {
        double rate = p.getDouble("dropout", defaultRate);
        if (!(rate >= 0 && rate < 1)) {
            throw new InvalidParameterException(p.qualify("dropout"), rate, "must lie in [0, 1)");
        }
        return rate;
    }

    @Override
    public Operand<TFloat32> forward(Layers l, Operand<TFloat32> x, Operand<TFloat64> t, Operand<TInt32> labels) {
        Operand<TFloat32> e = l.dense(l.silu(l.dense(l.timeEmbedding(t, timeEmbedding, timeScale), "time.0", timeEmbedding, hidden)),
                "time.2", hidden, hidden);
        if (classes > 0) {
            e = l.tf().math.add(e, l.classEmbedding(labels, classes, hidden));
        }
        Operand<TFloat32> siluE = l.silu(e);
        Operand<TFloat32> h = l.dense(x, "input", dimension, hidden);
        for (int b = 0; b < blocks; b++) {
            String n = "blocks." + b;
            Operand<TFloat32> r = l.dense(l.silu(h), n + ".0", hidden, hidden);
            r = l.tf().math.add(r, l.dense(siluE, n + ".time", hidden, hidden));
            r = l.dense(l.dropout(l.silu(r), dropout), n + ".1", hidden, hidden);
            h = l.tf().math.add(h, r);
        }
        return logits > 0 ? l.head(l.silu(h), hidden, logits) : l.zeroDense(l.silu(h), "output", hidden, outputs);
    }
}
