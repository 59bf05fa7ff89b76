package org.ddpm4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.TaskFailureListener;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.core.metrics.FeatureMoments;
import org.ddpm4j.core.metrics.FrechetDistance;
import org.ddpm4j.core.metrics.SampleDistances;
import org.ddpm4j.core.metrics.SampleDistances.Kernel;
import org.ddpm4j.core.metrics.SampleDistances.PairSums;
import org.ddpm4j.toolkit.io.Npy;

/**
 * Distributed evaluation of samples (a DataFrame of {@link SparkSampling#SCHEMA}): every partition
 * reduces its rows to partial sums (counts, means and centred sums of outer products, kernel sums
 * over pairs), merged on the driver in partition order. The results equal the single-machine
 * metrics ({@code ddpm eval}'s class accuracy and Frechet distance of classifier features; the
 * energy distance and MMD of points) up to the order of floating-point summation.
 */
public final class SparkEvaluation {
    /** Samples the evaluation classifier judges at once (bounds a task's memory). */
    private static final int BATCH = 256;

    private SparkEvaluation() {
    }

    /**
     * What the evaluation classifier says about a set of samples: the moments of its penultimate
     * features, and how many labelled samples it assigns to their class.
     */
    public record ClassifierStatistics(FeatureMoments features, long labelled, long correct) implements Serializable {
        private static final long serialVersionUID = 1L;

        ClassifierStatistics merge(ClassifierStatistics other) {
            return new ClassifierStatistics(features.merge(other.features), labelled + other.labelled, correct + other.correct);
        }

        /** The fraction of labelled samples classified as their class (NaN when none is labelled). */
        public double accuracy() {
            return labelled == 0 ? Double.NaN : correct / (double) labelled;
        }

        /** The Frechet distance between the features of these samples and of {@code reference} (FD-classifier). */
        public double frechetDistance(ClassifierStatistics reference) {
            return FrechetDistance.between(features, reference.features);
        }
    }

    /** Judges {@code samples} with {@code judge}, loaded once per executor task slot. */
    public static ClassifierStatistics classify(Dataset<Row> samples, JudgeRef judge) {
        List<ClassifierStatistics> parts;
        try {
            parts = samples.select("index", "class", "sample", "shape").javaRDD()
                    .mapPartitions(rows -> judgePartition(judge, rows)).collect();
        } catch (Exception e) {
            throw SparkSampling.unwrap(e);
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no samples to judge");
        }
        ClassifierStatistics all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.merge(parts.get(i));
        }
        return all;
    }

    private static Iterator<ClassifierStatistics> judgePartition(JudgeRef ref, Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return List.<ClassifierStatistics>of().iterator();
        }
        LoadedJudge loaded = ExecutorModels.borrow(ref, LoadedJudge.class, () -> LoadedJudge.load(ref));
        TaskContext task = TaskContext.get();
        boolean[] failed = {false};
        if (task != null) {
            task.addTaskFailureListener((TaskFailureListener) (context, error) -> failed[0] = true);
            task.addTaskCompletionListener((TaskCompletionListener) context -> release(ref, loaded, failed[0]));
        }
        FeatureMoments moments = null;
        long labelled = 0;
        long correct = 0;
        List<Row> batch = new ArrayList<>(BATCH);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == BATCH || !rows.hasNext()) {
                try (TensorScope scope = loaded.backend().openScope()) {
                    Tensor x = tensor(loaded, batch);
                    double[][] features = loaded.judge().features(x);
                    int[] predicted = loaded.judge().predict(x);
                    for (int i = 0; i < batch.size(); i++) {
                        moments = moments == null ? new FeatureMoments(features[i].length) : moments;
                        moments.add(features[i]);
                        if (!batch.get(i).isNullAt(1)) {
                            labelled++;
                            correct += predicted[i] == batch.get(i).getInt(1) ? 1 : 0;
                        }
                    }
                }
                batch.clear();
            }
        }
        if (task == null) {
            release(ref, loaded, false);
        }
        return List.of(new ClassifierStatistics(moments, labelled, correct)).iterator();
    }

    private static void release(JudgeRef ref, LoadedJudge loaded, boolean failed) {
        if (failed) {
            ExecutorModels.discard(loaded);
        } else {
            ExecutorModels.giveBack(ref, loaded);
        }
    }

    /** The rows' samples as one tensor {@code [b, shape...]}, float64 values as stored. */
    private static Tensor tensor(LoadedJudge loaded, List<Row> rows) {
        List<Integer> shapeList = rows.get(0).getList(3);
        int[] shape = new int[shapeList.size() + 1];
        shape[0] = rows.size();
        int size = 1;
        for (int i = 0; i < shapeList.size(); i++) {
            shape[i + 1] = shapeList.get(i);
            size *= shape[i + 1];
        }
        double[] values = new double[rows.size() * size];
        for (int r = 0; r < rows.size(); r++) {
            double[] sample = sample(rows.get(r), 2);
            if (sample.length != size) {
                throw new IllegalArgumentException("sample " + rows.get(r).getLong(0) + " has " + sample.length + " values, not the " + size
                        + " of shape " + shapeList);
            }
            System.arraycopy(sample, 0, values, r * size, size);
        }
        return loaded.backend().fromHost(values, shape);
    }

    /** The energy distance and squared MMD between distributed points and a reference set, U- and V-statistics. */
    public record PointDistances(long samples, long reference, double bandwidth, double energy, double energyV, double mmd, double mmdV)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The energy distance and squared MMD (Gaussian kernel, bandwidth the median distance of the first
     * 1000 samples by index and the first 1000 reference points, as on one machine) between
     * {@code samples} and {@code reference}. The within-samples sums run over every pair of
     * partitions (a cartesian product: O(n^2) work spread over the cluster), the cross sums over each
     * partition against the reference, which every task holds.
     */
    public static PointDistances pointDistances(Dataset<Row> samples, double[][] reference) {
        try {
            List<Row> first = samples.select("index", "sample").orderBy("index").limit(1000).collectAsList();
            double[][] head = first.stream().map(r -> sample(r, 1)).toArray(double[][]::new);
            double h = SampleDistances.medianDistance(head, reference);
            Kernel gaussian = SampleDistances.gaussian(h);
            JavaRDD<Block> blocks = samples.select("sample").javaRDD()
                    .mapPartitionsWithIndex((p, rows) -> List.of(Block.of(p, rows)).iterator(), true).cache();
            List<double[]> within = blocks.cartesian(blocks).filter(t -> t._1().partition() <= t._2().partition())
                    .map(t -> t._1().partition() == t._2().partition()
                            ? new double[] {t._1().partition(), t._2().partition(), SampleDistances.sumWithin(t._1().points(), SampleDistances.DISTANCE),
                                            SampleDistances.sumWithin(t._1().points(), gaussian)}
                            : new double[] {t._1().partition(), t._2().partition(), SampleDistances.sumAcross(t._1().points(), t._2().points(),
                                            SampleDistances.DISTANCE), SampleDistances.sumAcross(t._1().points(), t._2().points(), gaussian)})
                    .collect();
            List<double[]> across = blocks.map(b -> new double[] {b.partition(), b.points().length,
                    SampleDistances.sumAcross(b.points(), reference, SampleDistances.DISTANCE), SampleDistances.sumAcross(b.points(), reference, gaussian)})
                    .collect();
            blocks.unpersist();
            // add the partial sums in a fixed order, so that a run's result does not depend on task timing
            List<double[]> w = new ArrayList<>(within);
            w.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
            List<double[]> c = new ArrayList<>(across);
            c.sort(Comparator.comparingDouble(a -> a[0]));
            double withinDistance = 0;
            double withinKernel = 0;
            for (double[] s : w) {
                withinDistance += s[2];
                withinKernel += s[3];
            }
            long n = 0;
            double crossDistance = 0;
            double crossKernel = 0;
            for (double[] s : c) {
                n += (long) s[1];
                crossDistance += s[2];
                crossKernel += s[3];
            }
            long m = reference.length;
            PairSums distances = new PairSums(n, m, withinDistance, SampleDistances.sumWithin(reference, SampleDistances.DISTANCE), crossDistance,
                    SampleDistances.DISTANCE.self());
            PairSums kernel = new PairSums(n, m, withinKernel, SampleDistances.sumWithin(reference, gaussian), crossKernel, gaussian.self());
            return new PointDistances(n, m, h, SampleDistances.energyDistance(distances, true), SampleDistances.energyDistance(distances, false),
                    SampleDistances.mmdSquared(kernel, true), SampleDistances.mmdSquared(kernel, false));
        } catch (Exception e) {
            throw SparkSampling.unwrap(e);
        }
    }

    /** The points of one partition. */
    record Block(int partition, double[][] points) implements Serializable {
        private static final long serialVersionUID = 1L;

        static Block of(int partition, Iterator<Row> rows) {
            List<double[]> points = new ArrayList<>();
            rows.forEachRemaining(r -> points.add(sample(r, 0)));
            return new Block(partition, points.toArray(double[][]::new));
        }
    }

    /**
     * Reference data (e.g. test images, held-out points) as a DataFrame of {@link SparkSampling#SCHEMA}:
     * the rows of {@code data [n, ...]} indexed from 0, without classes unless {@code labels} are given.
     */
    public static Dataset<Row> rows(SparkSession spark, Npy.Array data, int[] labels, int partitions) {
        int[] shape = data.shape();
        int n = shape[0];
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        }
        int[] sampleShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        int size = data.data().length / Math.max(1, n);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] values = java.util.Arrays.copyOfRange(data.data(), i * size, (i + 1) * size);
            rows.add(RowFactory.create((long) i, labels == null ? null : labels[i], values, sampleShape));
        }
        JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
        return spark.createDataFrame(rdd, SparkSampling.SCHEMA);
    }

    /** Column {@code column} of a row as doubles. */
    static double[] sample(Row row, int column) {
        List<Double> values = row.getList(column);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
