package org.ddpm4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.model.Denoiser;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.sampling.Sampler;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.api.tensor.TensorScope;
import org.ddpm4j.api.training.NetworkBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend runs diffusers' {@code UNet2DModel} as diffusers does: the forward pass of each
 * {@link DiffusersUNetFixtures} folder agrees with diffusers' output to 1e-4, and a 10-step DDIM
 * loop (diffusers' {@code DDIMScheduler.from_config} of the folder's scheduler, eta 0) from the
 * stored noise agrees to 1e-3. The hooks load the folder with the library ({@code Pretrained}).
 */
public abstract class DiffusersUNetContract {
    protected NetworkBackend backend;
    @TempDir
    protected Path dir;

    protected abstract NetworkBackend createBackend();

    /** The folder's network on {@code backend}, closed with the backend. */
    protected abstract Denoiser load(Path folder, NetworkBackend backend);

    /** The folder's scheduler swapped to DDIM (diffusers' {@code from_config}) for {@code steps} steps. */
    protected abstract Sampler ddim(Path folder, int steps);

    /** A {@code .npy} file. */
    protected abstract HostArray npy(Path file);

    @BeforeEach
    void open() {
        backend = createBackend();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    static java.util.List<String> cases() {
        return DiffusersUNetFixtures.CASES;
    }

    private Condition labels(Path expected, String file) {
        Path f = expected.resolve(file);
        if (!java.nio.file.Files.exists(f)) {
            return Condition.none();
        }
        float[] l = npy(f).data();
        int[] labels = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            labels[i] = (int) l[i];
        }
        return Condition.classes(labels);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAgreesWithDiffusers(String name) {
        Path folder = DiffusersUNetFixtures.copy(name, dir);
        Path expected = folder.resolve("expected");
        Denoiser model = load(folder, backend);
        HostArray x = npy(expected.resolve("forward_x.npy"));
        float[] t = npy(expected.resolve("forward_t.npy")).data();
        HostArray want = npy(expected.resolve("forward_out.npy"));
        try (TensorScope scope = backend.openScope()) {
            Tensor out = model.predict(backend.fromHost(x), new double[] {t[0], t[1]}, labels(expected, "forward_labels.npy"));
            assertArrayEquals(want.shape(), out.shape());
            assertClose(want.data(), out.toFloatArray(), 1e-4, name + " forward");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tenDdimStepsAgreeWithDiffusers(String name) {
        Path folder = DiffusersUNetFixtures.copy(name, dir);
        Path expected = folder.resolve("expected");
        Denoiser model = load(folder, backend);
        HostArray noise = npy(expected.resolve("ddim_noise.npy"));
        HostArray want = npy(expected.resolve("ddim_out.npy"));
        Sampler sampler = ddim(folder, 10);
        try (TensorScope scope = backend.openScope()) {
            Tensor out = sampler.sample(model, backend.fromHost(noise), SampleOptions.defaults().withCondition(labels(expected, "forward_labels.npy")));
            assertClose(want.data(), out.toFloatArray(), 1e-3, name + " DDIM loop");
        }
    }

    private static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertTrue(want.length == got.length, what + ": sizes differ");
        double worst = 0;
        int at = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tolerance, what + ": max |diffusers - ours| = " + worst + " at " + at + " (diffusers " + want[at] + ", ours "
                + got[at] + "), tolerance " + tolerance);
    }
}
