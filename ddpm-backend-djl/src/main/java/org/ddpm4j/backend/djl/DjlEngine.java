package org.ddpm4j.backend.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The PyTorch engine of DJL, loaded offline: libtorch comes from the {@code pytorch-native-*} jar
 * on the class path (extracted once into DJL's cache, {@code DJL_CACHE_DIR} or {@code ~/.djl.ai}),
 * and {@code ai.djl.offline=true} is set before the engine loads so that DJL never tries to download
 * a library or to call home.
 *
 * <p>libtorch keeps some settings per process (the intra-op thread pool, the random generator) and
 * DJL allows one open gradient collector per JVM: {@link #GRADIENTS} serialises every use of
 * automatic differentiation.
 */
public final class DjlEngine {
    /** Held while a gradient collector is open (DJL allows only one per JVM). */
    static final ReentrantLock GRADIENTS = new ReentrantLock();

    private static final Pattern GPU = Pattern.compile("gpu(?::(\\d+))?");

    static {
        // Before any DJL class initialises: Engine's static initialiser already calls home.
        System.setProperty("ai.djl.offline", "true");
    }

    private DjlEngine() {
    }

    /** The PyTorch engine, loaded on first use without network access. */
    public static Engine engine() {
        return Holder.ENGINE;
    }

    /** Number of GPUs libtorch can use (0 with the CPU build of libtorch or without an NVIDIA driver). */
    public static int gpuCount() {
        return engine().getGpuCount();
    }

    /**
     * The device named {@code cpu}, {@code gpu} (GPU 0) or {@code gpu:N}; null or empty means GPU 0 if
     * one is visible, else the CPU. A GPU that does not exist is an error that says why.
     */
    public static Device device(String parameter, String name) {
        if (name == null || name.isBlank()) {
            return gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(n);
        if (!m.matches()) {
            throw new InvalidParameterException(parameter, name, "must be one of cpu, gpu, gpu:N");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int count = gpuCount();
        if (index >= count) {
            throw new InvalidParameterException(parameter, name, count == 0
                    ? "no GPU is visible to libtorch " + engine().getVersion() + " (the CPU build is on the class path, or no "
                            + "NVIDIA driver is installed); build with -Pcuda on a machine with an NVIDIA GPU, or use cpu"
                    : "only " + count + " GPU(s) are visible: allowed cpu, gpu:0 .. gpu:" + (count - 1));
        }
        return Device.gpu(index);
    }

    /** The name of a device as the API writes it: {@code cpu} or {@code gpu:N}. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /** Sets libtorch's intra-op thread count, which holds for the whole process. */
    public static void threads(int threads) {
        engine();
        JniUtils.setNumThreads(threads);
    }

    /** libtorch's intra-op thread count. */
    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** Seeds libtorch's global generator (dropout masks). */
    static void seed(long seed) {
        JniUtils.setSeed(seed);
    }

    /**
     * Turns automatic differentiation off for the calling thread (libtorch's grad mode is per thread
     * and on by default in new threads) and returns the previous state.
     */
    static boolean gradientsOff() {
        boolean was = JniUtils.isGradMode();
        if (was) {
            JniUtils.setGradMode(false);
        }
        return was;
    }

    /** Restores the calling thread's grad mode saved by {@link #gradientsOff()}. */
    static void restoreGradients(boolean was) {
        if (was) {
            JniUtils.setGradMode(true);
        }
    }

    private static final class Holder {
        static final Engine ENGINE = load();

        private static Engine load() {
            return Engine.getEngine("PyTorch");
        }
    }
}
