package org.ddpm4j.examples.data;

import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.core.training.ArrayData;

/**
 * Two-dimensional toy distributions, generated from a seed and scaled to about unit variance: the
 * classic test beds of diffusion models, where the quality of samples shows at a glance. Those
 * made of parts (the two moons, the eight Gaussians, the cells of the checkerboard) label each
 * point with its part, for class-conditional training.
 */
public enum Toy2d {
    /** A spiral sheet seen from above (scikit-learn's make_swiss_roll, x-z plane); unlabelled. */
    SWISS_ROLL("swiss-roll", 0, "a spiral sheet (unlabelled)") {
        @Override
        double[] point(GaussianNoise r, int label) {
            double t = 1.5 * Math.PI * (1 + 2 * r.nextUniform());
            // E[t cos t] = 2 and E[t sin t] = 2 / (3 pi) over t ~ U[3pi/2, 9pi/2]: subtracted to centre the roll
            return new double[] {(t * Math.cos(t) - 2) / 7.5 + 0.05 * r.next(), (t * Math.sin(t) - 2 / (3 * Math.PI)) / 7.5 + 0.05 * r.next()};
        }
    },
    /** Two interleaving half circles, one class each. */
    MOONS("moons", 2, "two interleaving half circles (2 classes)") {
        @Override
        double[] point(GaussianNoise r, int label) {
            double a = Math.PI * r.nextUniform();
            double x = label == 0 ? Math.cos(a) : 1 - Math.cos(a);
            double y = label == 0 ? Math.sin(a) : 0.5 - Math.sin(a);
            return new double[] {(x - 0.5) * 1.6 + 0.06 * r.next(), (y - 0.25) * 1.6 + 0.06 * r.next()};
        }
    },
    /** Eight Gaussians on a circle, one class each. */
    EIGHT_GAUSSIANS("8gaussians", 8, "eight Gaussians on a circle (8 classes)") {
        @Override
        double[] point(GaussianNoise r, int label) {
            double a = 2 * Math.PI * label / 8;
            return new double[] {1.4 * Math.cos(a) + 0.1 * r.next(), 1.4 * Math.sin(a) + 0.1 * r.next()};
        }
    },
    /** A 4x4 checkerboard of uniform squares, half of them filled, one class per filled square. */
    CHECKERBOARD("checkerboard", 8, "a 4x4 checkerboard, 8 filled squares (8 classes)") {
        @Override
        double[] point(GaussianNoise r, int label) {
            int row = label / 2;
            int col = 2 * (label % 2) + (row % 2);
            return new double[] {(col + r.nextUniform()) * 0.8 - 1.6, (row + r.nextUniform()) * 0.8 - 1.6};
        }
    };

    private final String id;
    private final int classes;
    private final String description;

    Toy2d(String id, int classes, String description) {
        this.id = id;
        this.classes = classes;
        this.description = description;
    }

    /** The name used on the command line. */
    public String id() {
        return id;
    }

    /** Number of parts (classes); 0 for unlabelled data. */
    public int classes() {
        return classes;
    }

    public String description() {
        return description;
    }

    /** A point of part {@code label} (ignored when unlabelled). */
    abstract double[] point(GaussianNoise r, int label);

    /** {@code n} points drawn with {@code seed}. */
    public double[][] sample(int n, long seed) {
        return points(n, new GaussianNoise(seed), null);
    }

    /** {@code n} labelled points drawn with {@code seed}, as training data. */
    public ArrayData data(int n, long seed) {
        int[] labels = classes > 0 ? new int[n] : null;
        double[][] points = points(n, new GaussianNoise(seed), labels);
        float[] v = new float[2 * n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = (float) points[i][0];
            v[2 * i + 1] = (float) points[i][1];
        }
        return new ArrayData(v, new int[] {2}, labels, classes);
    }

    private double[][] points(int n, GaussianNoise r, int[] labels) {
        if (n < 1) {
            throw new InvalidParameterException("samples", n, "must be an integer >= 1");
        }
        double[][] points = new double[n][];
        for (int i = 0; i < n; i++) {
            int label = classes > 0 ? r.nextInt(classes) : 0;
            if (labels != null) {
                labels[i] = label;
            }
            points[i] = point(r, label);
        }
        return points;
    }

    public static Toy2d parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Toy2d t : values()) {
            if (t.id.equals(n)) {
                return t;
            }
        }
        throw new InvalidParameterException("dataset", name, "must be one of swiss-roll, moons, 8gaussians, checkerboard");
    }
}
