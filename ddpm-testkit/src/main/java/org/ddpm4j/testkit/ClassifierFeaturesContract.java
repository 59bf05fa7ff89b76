package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.api.tensor.TensorScope;

/**
 * Checks {@link Classifier#features}: the features must be what the final linear layer reads, so
 * the logit differences {@code log p(k | x) - log p(0 | x) = phi(x) (w_k - w_0) + (b_k - b_0)} are
 * an exact affine function of them. With more samples than features a least-squares fit then has
 * no residual; features taken one layer too early or too late (before a SiLU, after the head) leave one.
 */
public final class ClassifierFeaturesContract {
    private ClassifierFeaturesContract() {
    }

    /**
     * Asserts the property on {@code n} standard-normal inputs of shape {@code sampleShape} at time
     * {@code t}; returns the number of features.
     */
    public static int assertLogitsAreAffineInFeatures(TensorBackend backend, Classifier classifier, int[] sampleShape, double t, int n) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        double[] times = new double[n];
        Arrays.fill(times, t);
        try (TensorScope scope = backend.openScope()) {
            Tensor x = backend.randn(new GaussianNoise(17), shape);
            Tensor features = classifier.features(x, times);
            int f = features.shape()[1];
            assertEquals(2, features.shape().length, "features are [batch, F]");
            assertEquals(n, features.shape()[0], "one feature vector per sample");
            assertTrue(n > f + 1, "the check needs more samples (" + n + ") than features + 1 (" + (f + 1) + ")");
            double[] phi = features.toDoubleArray();
            double[] logP = classifier.logProbabilities(x, times).toDoubleArray();
            int k = classifier.numClasses();
            double[][] design = new double[n][f + 1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(phi, i * f, design[i], 0, f);
                design[i][f] = 1;
            }
            Array2DRowRealMatrix a = new Array2DRowRealMatrix(design, false);
            DecompositionSolver solver = new QRDecomposition(a).getSolver();
            double spread = 0;
            double worst = 0;
            for (int c = 1; c < k; c++) {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = logP[i * k + c] - logP[i * k];
                }
                RealVector target = new ArrayRealVector(d, false);
                RealVector residual = a.operate(solver.solve(target)).subtract(target);
                worst = Math.max(worst, residual.getLInfNorm());
                spread = Math.max(spread, target.getLInfNorm());
            }
            assertTrue(spread > 1e-3, "the logits must vary with the input (max |difference| " + spread + ")");
            assertTrue(worst < 1e-3 * Math.max(1, spread), "logit differences must be affine in the features: residual " + worst
                    + " for differences up to " + spread);
            return f;
        }
    }
}
