package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.toolkit.io.Npy;
import org.ddpm4j.testkit.DiffusersUNetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm sample --pretrained DIR} on diffusers folders made by diffusers' own code. */
class SamplePretrainedTest {

    @Test
    void tenDdimStepsFromStoredNoiseMatchDiffusers(@TempDir Path dir) {
        Path folder = DiffusersUNetFixtures.copy("attn", dir);
        Path out = dir.resolve("final.npy");
        Path grid = dir.resolve("g.png");
        Cli r = Cli.run("sample", "--pretrained", folder.toString(), "--steps", "10", "--init-noise",
                folder.resolve("expected/ddim_noise.npy").toString(), "--out", out.toString(), "--grid", grid.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("diffusers UNet2DModel (diffusers-unet) 3x8x8, 11,767 parameters"), r.out());
        assertTrue(r.out().contains("scheduler_config.json (ddim, 10 steps); backend djl"), r.out());
        assertTrue(Files.isRegularFile(grid));
        double[] want = Npy.read(folder.resolve("expected/ddim_out.npy")).data();
        double[] got = Npy.read(out).data();
        assertArrayEquals(want, got, 1e-3);
    }

    @Test
    void samplerSwapsTheFlatFoldersDdpmSchedulerForDdimAsFromConfigDoes(@TempDir Path dir) {
        Path folder = DiffusersUNetFixtures.copy("cifar-flat", dir);
        Path out = dir.resolve("final.npy");
        Cli r = Cli.run("sample", "--pretrained", folder.toString(), "--sampler", "ddim", "--steps", "10", "--backend", "tf",
                "--init-noise", folder.resolve("expected/ddim_noise.npy").toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("(ddim, 10 steps); backend tf"), r.out());
        assertArrayEquals(Npy.read(folder.resolve("expected/ddim_out.npy")).data(), Npy.read(out).data(), 1e-3);
    }

    @Test
    void classListGivesOneClassPerSample(@TempDir Path dir) {
        Path folder = DiffusersUNetFixtures.copy("classes", dir);
        Path out = dir.resolve("s.npy");
        Cli r = Cli.run("sample", "--pretrained", folder.toString(), "--steps", "2", "--class", "2,0", "--seed", "3", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Npy.Array a = Npy.read(out);
        assertArrayEquals(new int[] {2, 1, 8, 8}, a.shape());
        Cli wrong = Cli.run("sample", "--pretrained", folder.toString(), "--steps", "2", "--class", "2,0", "--n", "3", "--out", out.toString());
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.err().contains("lists 2 classes, one per sample, but the batch has 3"), wrong.err());
    }

    @Test
    void aBadFolderFailsClearlyAndWritesNothing(@TempDir Path dir) throws Exception {
        Path folder = DiffusersUNetFixtures.copy("attn", dir);
        Files.delete(folder.resolve("unet/diffusion_pytorch_model.safetensors"));
        Files.writeString(folder.resolve("unet/diffusion_pytorch_model.bin"), "pickle");
        Path out = dir.resolve("never.npy");
        Cli r = Cli.run("sample", "--pretrained", folder.toString(), "--steps", "2", "--out", out.toString());
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("convert it to safetensors"), r.err());
        assertFalse(Files.exists(out));
    }
}
