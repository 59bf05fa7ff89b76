package org.ddpm4j.examples.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How close generated points are to held-out data, with the floor that a perfect model would
 * reach: the held-out set is split in halves A and B; the samples are compared with A, and B with
 * A (the same sizes, so the same estimator noise). Both distances are V-statistics, never negative,
 * so {@code ratio = distance / floor} is about 1 for a perfect model and grows with the mismatch.
 *
 * @param samples        number of generated points
 * @param reference      number of held-out points they are compared with (half A)
 * @param energy         energy distance of the samples to half A
 * @param energyFloor    energy distance of half B to half A
 * @param mmd            squared MMD (Gaussian kernel, median bandwidth) of the samples to half A
 * @param mmdFloor       squared MMD of half B to half A
 */
public record SampleQuality(int samples, int reference, double energy, double energyFloor, double mmd, double mmdFloor) {

    /** Compares {@code samples} with {@code heldOut}, which needs at least twice as many points. */
    public static SampleQuality measure(double[][] samples, double[][] heldOut) {
        if (samples.length < 2 || heldOut.length < 2 * samples.length) {
            throw new IllegalArgumentException("need >= 2 samples and twice as many held-out points, got " + samples.length
                    + " and " + heldOut.length);
        }
        int n = samples.length;
        double[][] a = Arrays.copyOfRange(heldOut, 0, n);
        double[][] b = Arrays.copyOfRange(heldOut, n, 2 * n);
        return new SampleQuality(n, n, SampleDistances.energyDistanceV(samples, a), SampleDistances.energyDistanceV(b, a),
                SampleDistances.mmdSquaredV(samples, a), SampleDistances.mmdSquaredV(b, a));
    }

    public double energyRatio() {
        return energy / energyFloor;
    }

    public double mmdRatio() {
        return mmd / mmdFloor;
    }

    /** The numbers by name, for a metrics file. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", samples);
        m.put("reference_points", reference);
        m.put("energy_distance", energy);
        m.put("energy_distance_floor", energyFloor);
        m.put("energy_distance_ratio", energyRatio());
        m.put("mmd2", mmd);
        m.put("mmd2_floor", mmdFloor);
        m.put("mmd2_ratio", mmdRatio());
        return m;
    }
}
