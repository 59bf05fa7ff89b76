package org.ddpm4j.examples.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.api.sampling.Trajectory;
import org.ddpm4j.api.schedule.Schedule;

/**
 * Noise turning into data: the states of a sampling run of 2-D points at a few noise levels, side
 * by side on one scale, and a last panel with the paths of some of the points. The levels are
 * evenly spaced in the noise scale {@code sqrt(1 - alphaBar_t)} (not in steps, which for most
 * schedules leave the noise nearly untouched until the last few).
 */
public final class TrajectoryFigure {
    private TrajectoryFigure() {
    }

    /**
     * Writes {@code slices} panels (the first and the last recorded state and those whose noise
     * scales under {@code schedule} are nearest to evenly spaced ones between) and a panel of the
     * paths of the first {@code paths} points, each panel {@code size x size} pixels.
     */
    public static void save(Path png, List<Trajectory.Point> points, Schedule schedule, int slices, int paths, int size) {
        if (points.size() < 2 || slices < 2) {
            throw new IllegalArgumentException("need at least two recorded states and two slices, got " + points.size() + " and " + slices);
        }
        List<PointCloud> clouds = new ArrayList<>();
        for (Trajectory.Point p : points) {
            int[] shape = p.state().shape();
            if (shape.length != 2 || shape[1] != 2) {
                throw new IllegalArgumentException("trajectories are drawn for 2-D points [n, 2], not " + java.util.Arrays.toString(shape));
            }
            clouds.add(PointCloud.ofFlat(p.state().data()));
        }
        double h = PointCloud.halfWidth(4, clouds.get(0), clouds.get(clouds.size() - 1));
        List<Chart> charts = new ArrayList<>();
        for (int index : slices(points, schedule, slices)) {
            Trajectory.Point p = points.get(index);
            PointCloud c = clouds.get(index);
            String title = String.format(Locale.ROOT, "step %d: t = %.0f, noise %.2f", p.step(), p.time(), schedule.noise(p.time()));
            charts.add(square(new Chart(title, "x", "y"), h).scatter("", c.x(), c.y(), Chart.PALETTE[0], 2.5f));
        }
        charts.add(paths(clouds, paths, h));
        Figure.save(png, charts.size(), size, size, charts);
    }

    /** Indices of distinct recorded points nearest to evenly spaced noise scales, first and last included. */
    static int[] slices(List<Trajectory.Point> points, Schedule schedule, int slices) {
        double first = schedule.noise(points.get(0).time());
        double last = schedule.noise(points.get(points.size() - 1).time());
        java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
        for (int s = 0; s < slices; s++) {
            double target = first + (last - first) * s / (slices - 1);
            int best = 0;
            for (int i = 1; i < points.size(); i++) {
                if (Math.abs(schedule.noise(points.get(i).time()) - target) < Math.abs(schedule.noise(points.get(best).time()) - target)) {
                    best = i;
                }
            }
            chosen.add(best);
        }
        chosen.add(points.size() - 1);
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Chart paths(List<PointCloud> clouds, int paths, double h) {
        Chart chart = square(new Chart("paths of " + paths + " points", "x", "y"), h);
        int n = Math.min(paths, clouds.get(0).x().length);
        for (int i = 0; i < n; i++) {
            double[] x = new double[clouds.size()];
            double[] y = new double[clouds.size()];
            for (int k = 0; k < clouds.size(); k++) {
                x[k] = clouds.get(k).x()[i];
                y[k] = clouds.get(k).y()[i];
            }
            Color c = Chart.PALETTE[i % Chart.PALETTE.length];
            chart.line("", x, y, new Color(c.getRed(), c.getGreen(), c.getBlue(), 120));
        }
        PointCloud last = clouds.get(clouds.size() - 1).first(n);
        PointCloud first = clouds.get(0).first(n);
        return chart.scatter("noise", first.x(), first.y(), Color.GRAY, 4f).scatter("sample", last.x(), last.y(), Color.BLACK, 5f);
    }

    private static Chart square(Chart chart, double h) {
        return chart.xRange(-h, h).yRange(-h, h).equalAspect();
    }
}
