package org.ddpm4j.examples.plot;

import java.util.Arrays;

/** Coordinates of 2-D points split into x and y columns for charts, and the square window that shows them. */
public record PointCloud(double[] x, double[] y) {

    /** Points stored row-major as {@code [x0, y0, x1, y1, ...]} (a host copy of an [n, 2] tensor). */
    public static PointCloud ofFlat(float[] xy) {
        double[] v = new double[xy.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = xy[i];
        }
        return ofFlat(v);
    }

    /** As {@link #ofFlat(float[])}. */
    public static PointCloud ofFlat(double[] xy) {
        double[] x = new double[xy.length / 2];
        double[] y = new double[xy.length / 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = xy[2 * i];
            y[i] = xy[2 * i + 1];
        }
        return new PointCloud(x, y);
    }

    /** Points as rows {@code {x, y}}. */
    public static PointCloud ofRows(double[][] points) {
        return new PointCloud(Arrays.stream(points).mapToDouble(p -> p[0]).toArray(), Arrays.stream(points).mapToDouble(p -> p[1]).toArray());
    }

    /** The first {@code n} points. */
    public PointCloud first(int n) {
        return new PointCloud(Arrays.copyOf(x, Math.min(n, x.length)), Arrays.copyOf(y, Math.min(n, y.length)));
    }

    /**
     * The half-width of a square window centred on 0 that holds all but the farthest 0.5 % of
     * the points of every cloud, at most {@code limit}: one scale for panels that are compared.
     */
    public static double halfWidth(double limit, PointCloud... clouds) {
        double widest = 0;
        for (PointCloud c : clouds) {
            double[] r = new double[c.x.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = Math.max(Math.abs(c.x[i]), Math.abs(c.y[i]));
            }
            Arrays.sort(r);
            widest = Math.max(widest, r.length == 0 ? 0 : r[Math.min(r.length - 1, (int) (0.995 * r.length))]);
        }
        return Math.min(limit, Math.max(0.5, 1.05 * widest));
    }
}
