package org.ddpm4j.examples.data;

import java.util.Locale;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.GaussianNoise;

/**
 * Two-dimensional toy distributions, generated from a seed, scaled to about unit variance: the
 * classic test beds of diffusion models, where the quality of samples can be seen at a glance.
 */
public enum Toy2d {
    /** A spiral sheet seen from above (scikit-learn's make_swiss_roll, x-z plane). */
    SWISS_ROLL("swiss-roll") {
        @Override
        double[] point(GaussianNoise r) {
            double t = 1.5 * Math.PI * (1 + 2 * r.nextUniform());
            // E[t cos t] = 2 and E[t sin t] = 2 / (3 pi) over t ~ U[3pi/2, 9pi/2]: subtracted to centre the roll
            return new double[] {(t * Math.cos(t) - 2) / 7.5 + 0.05 * r.next(), (t * Math.sin(t) - 2 / (3 * Math.PI)) / 7.5 + 0.05 * r.next()};
        }
    },
    /** Two interleaving half circles. */
    MOONS("moons") {
        @Override
        double[] point(GaussianNoise r) {
            double a = Math.PI * r.nextUniform();
            boolean upper = r.nextUniform() < 0.5;
            double x = upper ? Math.cos(a) : 1 - Math.cos(a);
            double y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
            return new double[] {(x - 0.5) * 1.6 + 0.06 * r.next(), (y - 0.25) * 1.6 + 0.06 * r.next()};
        }
    },
    /** Eight Gaussians on a circle. */
    EIGHT_GAUSSIANS("8gaussians") {
        @Override
        double[] point(GaussianNoise r) {
            double a = 2 * Math.PI * r.nextInt(8) / 8;
            return new double[] {1.4 * Math.cos(a) + 0.1 * r.next(), 1.4 * Math.sin(a) + 0.1 * r.next()};
        }
    },
    /** A 4x4 checkerboard of uniform squares (half of them filled). */
    CHECKERBOARD("checkerboard") {
        @Override
        double[] point(GaussianNoise r) {
            int cell = r.nextInt(8);
            int row = cell / 2;
            int col = 2 * (cell % 2) + (row % 2);
            return new double[] {(col + r.nextUniform()) * 0.8 - 1.6, (row + r.nextUniform()) * 0.8 - 1.6};
        }
    };

    private final String id;

    Toy2d(String id) {
        this.id = id;
    }

    /** The name used on the command line. */
    public String id() {
        return id;
    }

    abstract double[] point(GaussianNoise r);

    /** {@code n} points drawn with {@code seed}. */
    public double[][] sample(int n, long seed) {
        GaussianNoise r = new GaussianNoise(seed);
        double[][] points = new double[n][];
        for (int i = 0; i < n; i++) {
            points[i] = point(r);
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
