package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.examples.plot.Chart;
import org.ddpm4j.examples.plot.Figure;
import org.ddpm4j.examples.plot.ImageGrid;

/** A picture of samples: a grid of images {@code [n, C, H, W]}, or a scatter plot of 2-D points coloured by class. */
final class SamplePicture {
    private SamplePicture() {
    }

    /** Writes {@code samples} to {@code png} (the value of {@code option}); images {@code perRow} to a row. */
    static void save(Path png, String option, Tensor samples, Condition condition, int perRow) {
        save(png, option, samples.toHost(), condition, perRow);
    }

    /** As {@link #save(Path, String, Tensor, Condition, int)}, from samples on the host. */
    static void save(Path png, String option, HostArray samples, Condition condition, int perRow) {
        int[] shape = samples.shape();
        if (shape.length == 4) {
            int n = shape[0];
            int columns = Math.min(n, perRow);
            ImageGrid.save(png, samples, (n + columns - 1) / columns, columns, shape[2] <= 32 ? 3 : 1);
            return;
        }
        if (shape.length != 2 || shape[1] != 2) {
            throw new InvalidParameterException(option, png.toString(), "draws images [n, C, H, W] or 2-D points; samples are "
                    + Arrays.toString(shape));
        }
        float[] v = samples.data();
        int[] labels = condition.isNone() ? new int[shape[0]] : condition.labels();
        int classCount = Arrays.stream(labels).max().orElse(0) + 1;
        Chart chart = new Chart("samples", "x", "y");
        for (int c = 0; c < classCount; c++) {
            final int k = c;
            double[] xs = IntStream.range(0, shape[0]).filter(i -> labels[i] == k).mapToDouble(i -> v[2 * i]).toArray();
            double[] ys = IntStream.range(0, shape[0]).filter(i -> labels[i] == k).mapToDouble(i -> v[2 * i + 1]).toArray();
            chart.scatter(condition.isNone() ? "samples" : "class " + c, xs, ys, Chart.PALETTE[c % Chart.PALETTE.length], 3f);
        }
        Figure.save(png, 1, 640, 640, List.of(chart));
    }
}
