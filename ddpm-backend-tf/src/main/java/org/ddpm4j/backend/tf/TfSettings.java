package org.ddpm4j.backend.tf;

import java.util.Locale;
import org.ddpm4j.api.Checks;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Where and with how many threads TensorFlow runs.
 *
 * <p>Threads: TensorFlow splits one kernel over {@code intraOpThreads} and runs up to
 * {@code interOpThreads} independent kernels at once. With one of each (the default) every run is
 * bit-for-bit repeatable, training included; more threads are faster for large networks but
 * change the order of floating-point sums, so results then differ in the last bits from run to run.
 * Unless given, the inter-op threads follow the intra-op threads: TensorFlow's elementwise kernels
 * split poorly at a U-Net's sizes, and running independent ones side by side (a residual block's
 * skip path beside its main path) makes the recipe U-Net's training step about 8 % faster at two
 * threads (docs/BENCHMARKS.md, "On a quiet machine, one and two threads").
 *
 * @param gpu            whether to run on a GPU
 * @param gpuIndex       which GPU (0 on CPU)
 * @param intraOpThreads threads inside one kernel (matrix products, convolutions)
 * @param interOpThreads kernels running concurrently
 */
public record TfSettings(boolean gpu, int gpuIndex, int intraOpThreads, int interOpThreads) {
    static final String DEVICE = "device";
    static final String INTRA = "intra_op_threads";
    static final String INTER = "inter_op_threads";
    /** The name every backend understands for its compute threads: here the intra-op threads. */
    static final String THREADS = "threads";

    public TfSettings {
        Checks.atLeast(INTRA, intraOpThreads, 1);
        Checks.atLeast(INTER, interOpThreads, 1);
        Checks.atLeast("gpu index", gpuIndex, 0);
    }

    /** CPU, one intra-op and one inter-op thread: deterministic. */
    public static TfSettings defaults() {
        return new TfSettings(false, 0, 1, 1);
    }

    /**
     * From the backend parameters {@code device} (cpu, gpu, gpu:N), {@code threads} (the intra-op
     * threads, under the name all backends share) or {@code intra_op_threads}, and {@code inter_op_threads}
     * (default: the intra-op threads).
     */
    public static TfSettings from(Parameters p) {
        String device = p.getString(DEVICE, "cpu").trim().toLowerCase(Locale.ROOT);
        if (p.has(THREADS) && p.has(INTRA)) {
            throw new InvalidParameterException(p.qualify(THREADS), p.asMap().get(THREADS), "give either threads or " + INTRA + ", not both");
        }
        String threads = p.has(THREADS) ? THREADS : INTRA;
        int intra = Checks.atLeast(p.qualify(threads), p.getInt(threads, 1), 1);
        int inter = Checks.atLeast(p.qualify(INTER), p.getInt(INTER, intra), 1);
        if (device.equals("cpu")) {
            return new TfSettings(false, 0, intra, inter);
        }
        if (device.matches("gpu(:\\d{1,3})?")) {
            return new TfSettings(true, device.equals("gpu") ? 0 : Integer.parseInt(device.substring(4)), intra, inter);
        }
        throw new InvalidParameterException(p.qualify(DEVICE), device, "must be cpu, gpu or gpu:N (N = 0, 1, ...)");
    }

    /** The device name used in messages and {@code TensorBackend.device()}: {@code cpu} or {@code gpu:N}. */
    public String deviceName() {
        return gpu ? "gpu:" + gpuIndex : "cpu";
    }

    /** Where graph operations are placed. */
    DeviceSpec deviceSpec() {
        return DeviceSpec.newBuilder().deviceType(gpu ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
                .deviceIndex(gpu ? gpuIndex : 0).build();
    }

    /** Session options; a GPU build asked for the CPU hides its GPUs. */
    ConfigProto sessionConfig() {
        ConfigProto.Builder config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads)
                .setUsePerSessionThreads(true)
                .setAllowSoftPlacement(true); // kernels without a GPU version fall back to the CPU
        if (gpu) {
            config.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        } else {
            config.putDeviceCount("GPU", 0);
        }
        return config.build();
    }
}
