package org.ddpm4j.core.metrics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The Fréchet distance between Gaussians fitted to two sets of feature vectors (Heusel et al.
 * 2017): {@code |mu_1 - mu_2|^2 + Tr(S_1 + S_2 - 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2})}. With Inception
 * features this is FID; ddpm4j uses the features of its own Fashion-MNIST classifier, so its
 * values are comparable with each other but NOT with published FID numbers.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    /** The distance between the Gaussians fitted to {@code a} and {@code b} (rows are samples). */
    public static double between(double[][] a, double[][] b) {
        double[] muA = mean(a);
        double[] muB = mean(b);
        return between(muA, covariance(a, muA), muB, covariance(b, muB));
    }

    /**
     * The distance between the Gaussians of two sets' moments, e.g. merged from the parts of a data
     * set spread over machines; equal to {@link #between(double[][], double[][])} on the same rows up
     * to rounding.
     */
    public static double between(FeatureMoments a, FeatureMoments b) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException("features of dimension " + a.dimension() + " and " + b.dimension() + " cannot be compared");
        }
        return between(a.mean(), new Array2DRowRealMatrix(a.covariance(), false), b.mean(), new Array2DRowRealMatrix(b.covariance(), false));
    }

    private static double between(double[] muA, RealMatrix sA, double[] muB, RealMatrix sB) {
        RealMatrix rootA = sqrtSymmetric(sA);
        RealMatrix middle = sqrtSymmetric(symmetrize(rootA.multiply(sB).multiply(rootA)));
        double meanTerm = 0;
        for (int i = 0; i < muA.length; i++) {
            meanTerm += (muA[i] - muB[i]) * (muA[i] - muB[i]);
        }
        return meanTerm + sA.getTrace() + sB.getTrace() - 2 * middle.getTrace();
    }

    static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] row : x) {
            for (int j = 0; j < m.length; j++) {
                m[j] += row[j];
            }
        }
        for (int j = 0; j < m.length; j++) {
            m[j] /= x.length;
        }
        return m;
    }

    /** The unbiased sample covariance. */
    static RealMatrix covariance(double[][] x, double[] mean) {
        int d = mean.length;
        double[][] c = new double[d][d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                double ri = row[i] - mean[i];
                for (int j = i; j < d; j++) {
                    c[i][j] += ri * (row[j] - mean[j]);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                c[i][j] /= x.length - 1;
                c[j][i] = c[i][j];
            }
        }
        return new Array2DRowRealMatrix(c, false);
    }

    /** The square root of a symmetric positive semi-definite matrix (negative rounding noise clipped to 0). */
    static RealMatrix sqrtSymmetric(RealMatrix m) {
        EigenDecomposition e = new EigenDecomposition(m);
        RealMatrix v = e.getV();
        double[] lambda = e.getRealEigenvalues();
        int n = lambda.length;
        RealMatrix scaled = v.copy();
        for (int j = 0; j < n; j++) {
            double r = Math.sqrt(Math.max(0, lambda[j]));
            for (int i = 0; i < n; i++) {
                scaled.setEntry(i, j, scaled.getEntry(i, j) * r);
            }
        }
        return scaled.multiply(v.transpose());
    }

    private static RealMatrix symmetrize(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }
}
