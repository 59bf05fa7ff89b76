package org.ddpm4j.backend.tf;

import org.ddpm4j.api.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Loads TensorFlow's native libraries once per process and sets, before the first session, the
 * two settings TensorFlow only reads from the C environment at that moment:
 * <ul>
 *   <li>{@code TF_OVERRIDE_GLOBAL_THREADPOOL=1}: every session gets the intra-op thread pool its
 *       own settings ask for (otherwise the first session of the process fixes it for all), so
 *       {@code intra_op_threads} means what it says for every backend and network;</li>
 *   <li>{@code TF_CPP_MIN_LOG_LEVEL=2}: no native INFO/WARNING lines. TensorFlow's internal copy
 *       of absl also prints two lines at the first graph run that no setting controls; that run
 *       is made here, with native stderr muted for its duration.</li>
 * </ul>
 * TensorFlow prints one INFO line (oneDNN) while its natives load, which is before any of this and
 * uses the level of the environment the process started with: the {@code ddpm} launcher sets
 * {@code TF_CPP_MIN_LOG_LEVEL=2} before the JVM starts for that reason.
 * A variable the user already set in the environment is left alone; {@code TF_CPP_MIN_LOG_LEVEL=0}
 * shows everything, the two absl lines included. The natives unpack (~650 MB, once) into the JavaCPP cache,
 * {@code ~/.javacpp/cache} or the directory of the system property
 * {@code org.bytedeco.javacpp.cachedir}.
 */
final class TfRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(TfRuntime.class);
    static final String LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL";
    static final String PER_SESSION_THREADS = "TF_OVERRIDE_GLOBAL_THREADPOOL";

    private static boolean initialized;

    private TfRuntime() {
    }

    /**
     * Loads the native libraries only (what takes long), not synchronized with {@link #initialize}:
     * safe on a background thread, since it mutes no stderr and sets no environment (both must
     * happen in {@code initialize}, before the first session, which loading does not open).
     */
    static void loadNatives() {
        TensorFlow.version();
    }

    static synchronized void initialize() {
        if (initialized) {
            return;
        }
        String version = TensorFlow.version();
        if (!Libc.available()) {
            LOG.warn("cannot set {} / {} from Java on this platform: thread settings are shared by all sessions",
                    PER_SESSION_THREADS, LOG_LEVEL);
        } else {
            setDefault(PER_SESSION_THREADS, "1");
            setDefault(LOG_LEVEL, "2");
            String level = System.getenv(LOG_LEVEL);
            if (level == null || !level.strip().equals("0")) {
                Libc.withoutStderr(TfRuntime::runFirstGraph);
            }
        }
        initialized = true;
        LOG.debug("TensorFlow {} loaded", version);
    }

    /**
     * Fails unless TensorFlow can place operations on the requested GPU: the CPU natives never can,
     * the GPU natives only with a CUDA driver and the CUDA 12 / cuDNN 9 libraries installed.
     */
    static void requireGpu(TfSettings settings) {
        ConfigProto strict = settings.sessionConfig().toBuilder().setAllowSoftPlacement(false).build();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g).withDevice(settings.deviceSpec());
            Operand<TFloat32> probe = tf.math.add(tf.constant(1f), tf.constant(1f));
            try (Session s = new Session(g, strict); Result r = s.runner().fetch(probe).run()) {
                LOG.debug("{} available", settings.deviceName());
            }
        } catch (RuntimeException e) {
            throw new InvalidParameterException("backend." + TfSettings.DEVICE, settings.deviceName(),
                    "TensorFlow cannot use this GPU (" + firstLine(e.getMessage()) + "). The GPU needs the natives of classifier "
                            + "linux-x86_64-gpu (build with -Pcuda), an NVIDIA driver, CUDA 12 and cuDNN 9; or use device=cpu");
        }
    }

    private static String firstLine(String message) {
        String m = message == null ? "no message" : message.strip();
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end);
    }

    private static void setDefault(String name, String value) {
        if (System.getenv(name) == null) {
            Libc.setenv(name, value);
        }
    }

    /** The first graph run of the process, where the unconditional native log lines appear. */
    private static void runFirstGraph() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            try (Session s = new Session(g); Result r = s.runner().fetch(tf.constant(0f)).run()) {
                LOG.trace("first graph run: {}", r.size());
            }
        }
    }
}
