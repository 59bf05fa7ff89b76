package org.ddpm4j.core.metrics;

import java.io.Serializable;

/**
 * The count, mean and centred sum of outer products of a set of feature vectors, built row by row
 * and merged with another part (Chan, Golub &amp; LeVeque's pairwise update), so the statistics of a
 * data set split over machines are the merge of its parts' statistics. Centred sums stay accurate
 * when the mean is large against the spread, unlike raw sums of squares.
 */
public final class FeatureMoments implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dimension;
    private long count;
    private final double[] mean;
    /** Upper triangle (row-major, {@code i <= j}) of {@code sum (x - mean)(x - mean)^T}. */
    private final double[] centred;

    public FeatureMoments(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        this.dimension = dimension;
        this.mean = new double[dimension];
        this.centred = new double[dimension * (dimension + 1) / 2];
    }

    /** The moments of {@code rows} (each of one length). */
    public static FeatureMoments of(double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("need at least one row");
        }
        FeatureMoments m = new FeatureMoments(rows[0].length);
        for (double[] row : rows) {
            m.add(row);
        }
        return m;
    }

    /** Adds one vector (Welford's update). */
    public FeatureMoments add(double[] x) {
        if (x.length != dimension) {
            throw new IllegalArgumentException("a feature vector of length " + x.length + " added to moments of dimension " + dimension);
        }
        count++;
        double[] before = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            before[i] = x[i] - mean[i];
            mean[i] += before[i] / count;
        }
        int k = 0;
        for (int i = 0; i < dimension; i++) {
            double after = x[i] - mean[i];
            for (int j = i; j < dimension; j++) {
                centred[k++] += after * before[j];
            }
        }
        return this;
    }

    /** The moments of both parts together; neither part changes. */
    public FeatureMoments merge(FeatureMoments other) {
        if (other.dimension != dimension) {
            throw new IllegalArgumentException("cannot merge moments of dimension " + other.dimension + " into " + dimension);
        }
        FeatureMoments m = new FeatureMoments(dimension);
        m.count = count + other.count;
        if (m.count == 0) {
            return m;
        }
        double[] delta = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            delta[i] = other.mean[i] - mean[i];
            m.mean[i] = mean[i] + delta[i] * other.count / m.count;
        }
        double weight = (double) count * other.count / m.count;
        int k = 0;
        for (int i = 0; i < dimension; i++) {
            for (int j = i; j < dimension; j++) {
                m.centred[k] = centred[k] + other.centred[k] + delta[i] * delta[j] * weight;
                k++;
            }
        }
        return m;
    }

    public long count() {
        return count;
    }

    public int dimension() {
        return dimension;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** The unbiased sample covariance (divided by {@code count - 1}). */
    public double[][] covariance() {
        if (count < 2) {
            throw new IllegalStateException("a covariance needs at least two vectors, have " + count);
        }
        double[][] c = new double[dimension][dimension];
        int k = 0;
        for (int i = 0; i < dimension; i++) {
            for (int j = i; j < dimension; j++) {
                c[i][j] = centred[k++] / (count - 1);
                c[j][i] = c[i][j];
            }
        }
        return c;
    }
}
