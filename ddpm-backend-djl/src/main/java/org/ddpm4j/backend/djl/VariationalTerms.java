package org.ddpm4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ddpm4j.api.training.VariationalLoss;

/** The per-sample terms {@code L_t} of {@link VariationalLoss} (its formulas) as differentiable DJL operations. */
final class VariationalTerms {
    private static final double LN2 = Math.log(2);

    private VariationalTerms() {
    }

    /**
     * {@code term_i} in bits per dimension, shape {@code [n]}, for the prediction half {@code prediction},
     * the interpolation {@code v} and the regression target, all {@code [n, C, ...]}.
     */
    static NDArray perSample(NDArray prediction, NDArray v, NDArray target, NDArray edges, VariationalLoss vlb) {
        NDManager m = prediction.getManager();
        int n = vlb.size();
        long[] perSampleShape = new long[(int) prediction.getShape().dimension()];
        java.util.Arrays.fill(perSampleShape, 1);
        perSampleShape[0] = n;
        Shape broadcast = new Shape(perSampleShape);
        NDArray mean = vlb.stopGradient() ? prediction.stopGradient() : prediction;
        NDArray d = mean.sub(target).mul(column(m, vlb.meanScale(), broadcast));
        NDArray frac = v.add(1).mul(0.5);
        NDArray logLarge = column(m, vlb.logLarge(), broadcast);
        NDArray logSmall = column(m, vlb.logSmall(), broadcast);
        NDArray logVar = frac.mul(logLarge).add(frac.neg().add(1).mul(logSmall));
        NDArray logPosterior = column(m, vlb.logPosterior(), broadcast);
        NDArray inverseVar = logVar.neg().exp();
        NDArray kl = logVar.sub(logPosterior).add(logPosterior.sub(logVar).exp()).add(d.square().mul(inverseVar)).sub(1).mul(0.5);
        NDArray nll;
        if (vlb.decoder() == VariationalLoss.Decoder.GAUSSIAN) {
            nll = logVar.add(Math.log(2 * Math.PI)).add(d.square().mul(inverseVar)).mul(0.5);
        } else {
            NDArray inverseSd = logVar.mul(-0.5).exp();
            NDArray cdfPlus = normalCdf(d.add(VariationalLoss.HALF_BIN).mul(inverseSd));
            NDArray cdfMin = normalCdf(d.sub(VariationalLoss.HALF_BIN).mul(inverseSd));
            NDArray logCdfPlus = cdfPlus.maximum(VariationalLoss.MIN_PROBABILITY).log();
            NDArray logOneMinusCdfMin = cdfMin.neg().add(1).maximum(VariationalLoss.MIN_PROBABILITY).log();
            NDArray logDelta = cdfPlus.sub(cdfMin).maximum(VariationalLoss.MIN_PROBABILITY).log();
            // edges e in {-1, 0, 1}: lower = e (e - 1) / 2, upper = e (e + 1) / 2, inner = 1 - e^2
            NDArray lower = edges.mul(edges.sub(1)).mul(0.5);
            NDArray upper = edges.mul(edges.add(1)).mul(0.5);
            NDArray inner = edges.square().neg().add(1);
            nll = lower.mul(logCdfPlus).add(upper.mul(logOneMinusCdfMin)).add(inner.mul(logDelta)).neg();
        }
        float[] decoder = new float[n];
        for (int i = 0; i < n; i++) {
            decoder[i] = vlb.decoderTerm()[i] ? 1 : 0;
        }
        NDArray isDecoder = m.create(decoder).reshape(broadcast);
        NDArray term = nll.mul(isDecoder).add(kl.mul(isDecoder.neg().add(1)));
        return term.reshape(n, -1).mean(new int[] {1}).div(LN2);
    }

    private static NDArray column(NDManager m, double[] values, Shape shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return m.create(f).reshape(shape);
    }

    /** {@code Phi(z) = (1 + erf(z / sqrt 2)) / 2}. */
    private static NDArray normalCdf(NDArray z) {
        return z.div(Math.sqrt(2)).erf().add(1).mul(0.5);
    }
}
