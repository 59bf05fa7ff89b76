package org.ddpm4j.backend.tf;

import org.ddpm4j.api.training.VariationalLoss;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The per-sample terms {@code L_t} of {@link VariationalLoss} (its formulas) as graph operations,
 * with the placeholders of its host constants. Built once, with the training step.
 */
final class VariationalTerms {
    private static final double LN2 = Math.log(2);

    private final Ops tf;
    private final long[] broadcast;
    private final Placeholder<TFloat32> meanScale;
    private final Placeholder<TFloat32> logSmall;
    private final Placeholder<TFloat32> logLarge;
    private final Placeholder<TFloat32> logPosterior;
    private final Placeholder<TFloat32> decoderTerm;
    private final Placeholder<TFloat32> weights;
    private final Placeholder<TFloat32> meanGradient;
    private final Placeholder<TFloat32> edges;
    private final Placeholder<TFloat32> discretized;
    private Operand<TFloat32> terms;

    VariationalTerms(Ops tf, int[] sampleShape) {
        this.tf = tf;
        this.broadcast = new long[sampleShape.length + 1];
        java.util.Arrays.fill(broadcast, 1);
        broadcast[0] = -1;
        this.meanScale = perSample("vlb_mean_scale");
        this.logSmall = perSample("vlb_log_small");
        this.logLarge = perSample("vlb_log_large");
        this.logPosterior = perSample("vlb_log_posterior");
        this.decoderTerm = perSample("vlb_decoder_term");
        this.weights = perSample("vlb_weights");
        this.meanGradient = tf.withName("vlb_mean_gradient").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        this.discretized = tf.withName("vlb_discretized").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        this.edges = tf.withName("vlb_edges").placeholder(TFloat32.class);
    }

    private Placeholder<TFloat32> perSample(String name) {
        return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    }

    private Operand<TFloat32> column(Operand<TFloat32> perSample) {
        return tf.reshape(perSample, tf.constant(broadcast));
    }

    private Operand<TFloat32> c(double value) {
        return tf.constant((float) value);
    }

    /** {@code weights_i term_i}, shape {@code [n]}; {@code term_i} is fetched by {@link #feed}. */
    Operand<TFloat32> weighted(Operand<TFloat32> prediction, Operand<TFloat32> v, Operand<TFloat32> target) {
        var m = tf.math;
        // the gradient reaches the mean only where vlb_mean_gradient is 1 (L_vlb alone); the value is the prediction's either way
        Operand<TFloat32> mean = m.add(m.mul(prediction, meanGradient), m.mul(tf.stopGradient(prediction), m.sub(c(1), meanGradient)));
        Operand<TFloat32> d = m.mul(m.sub(mean, target), column(meanScale));
        Operand<TFloat32> frac = m.mul(m.add(v, c(1)), c(0.5));
        Operand<TFloat32> logVar = m.add(m.mul(frac, column(logLarge)), m.mul(m.sub(c(1), frac), column(logSmall)));
        Operand<TFloat32> logQ = column(logPosterior);
        Operand<TFloat32> inverseVar = m.exp(m.neg(logVar));
        Operand<TFloat32> dd = m.mul(m.square(d), inverseVar);
        Operand<TFloat32> kl = m.mul(m.sub(m.add(m.add(m.sub(logVar, logQ), m.exp(m.sub(logQ, logVar))), dd), c(1)), c(0.5));
        Operand<TFloat32> gaussian = m.mul(m.add(m.add(logVar, c(Math.log(2 * Math.PI))), dd), c(0.5));
        Operand<TFloat32> inverseSd = m.exp(m.mul(logVar, c(-0.5)));
        Operand<TFloat32> cdfPlus = cdf(m.mul(m.add(d, c(VariationalLoss.HALF_BIN)), inverseSd));
        Operand<TFloat32> cdfMin = cdf(m.mul(m.sub(d, c(VariationalLoss.HALF_BIN)), inverseSd));
        Operand<TFloat32> floor = c(VariationalLoss.MIN_PROBABILITY);
        Operand<TFloat32> logCdfPlus = m.log(m.maximum(cdfPlus, floor));
        Operand<TFloat32> logOneMinusCdfMin = m.log(m.maximum(m.sub(c(1), cdfMin), floor));
        Operand<TFloat32> logDelta = m.log(m.maximum(m.sub(cdfPlus, cdfMin), floor));
        // edges e in {-1, 0, 1}: lower = e (e - 1) / 2, upper = e (e + 1) / 2, inner = 1 - e^2
        Operand<TFloat32> lower = m.mul(m.mul(edges, m.sub(edges, c(1))), c(0.5));
        Operand<TFloat32> upper = m.mul(m.mul(edges, m.add(edges, c(1))), c(0.5));
        Operand<TFloat32> inner = m.sub(c(1), m.square(edges));
        Operand<TFloat32> binNll = m.neg(m.add(m.add(m.mul(lower, logCdfPlus), m.mul(upper, logOneMinusCdfMin)), m.mul(inner, logDelta)));
        Operand<TFloat32> nll = m.add(m.mul(binNll, discretized), m.mul(gaussian, m.sub(c(1), discretized)));
        Operand<TFloat32> isDecoder = column(decoderTerm);
        Operand<TFloat32> term = m.add(m.mul(nll, isDecoder), m.mul(kl, m.sub(c(1), isDecoder)));
        terms = m.div(tf.math.mean(tf.reshape(term, tf.constant(new long[] {-1, flatSize(prediction)})), tf.constant(1)), c(LN2));
        return m.mul(terms, weights);
    }

    private long flatSize(Operand<TFloat32> prediction) {
        long[] dims = prediction.shape().asArray();
        long size = 1;
        for (int i = 1; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalStateException("the prediction's sample shape must be static, was " + prediction.shape());
            }
            size *= dims[i];
        }
        return size;
    }

    /** {@code Phi(z) = (1 + erf(z / sqrt 2)) / 2}. */
    private Operand<TFloat32> cdf(Operand<TFloat32> z) {
        return tf.math.mul(tf.math.add(tf.math.erf(tf.math.div(z, c(Math.sqrt(2)))), c(1)), c(0.5));
    }

    /** Feeds the constants of {@code vlb} (and {@code edges}, null for the Gaussian decoder) and fetches the terms as fetch 1. */
    Run feed(Run run, VariationalLoss vlb, TfTensor edges) {
        double[] decoder = new double[vlb.size()];
        for (int i = 0; i < decoder.length; i++) {
            decoder[i] = vlb.decoderTerm()[i] ? 1 : 0;
        }
        run.feedFloats(meanScale, vlb.meanScale()).feedFloats(logSmall, vlb.logSmall()).feedFloats(logLarge, vlb.logLarge())
                .feedFloats(logPosterior, vlb.logPosterior()).feedFloats(decoderTerm, decoder).feedFloats(weights, vlb.weights())
                .feed(meanGradient, vlb.stopGradient() ? 0f : 1f)
                .feed(discretized, vlb.decoder() == VariationalLoss.Decoder.DISCRETIZED ? 1f : 0f);
        run = edges != null ? run.feed(this.edges, edges.value()) : run.feedCreated(this.edges, TFloat32.scalarOf(0f));
        return run.fetch(terms);
    }
}
