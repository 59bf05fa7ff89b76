package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm export}: a model trained with --arch diffusers-unet becomes a diffusers folder that --pretrained samples. */
class ExportCommandTest {

    @Test
    void aTrainedDiffusersUNetExportsAndSamplesAsADiffusersFolder(@TempDir Path dir) {
        Path data = dir.resolve("x.npy");
        double[] v = new double[8 * 64];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        Npy.writeDoubles(data, v, 8, 1, 8, 8);
        Path run = dir.resolve("run");
        Cli t = Cli.run("train", "--data", data.toString(), "--arch", "diffusers-unet", "--backend", "djl", "--train-steps", "2",
                "--batch", "4", "--hp", "in_channels=1", "--hp", "out_channels=1", "--hp", "block_out_channels=[8,16]",
                "--hp", "layers_per_block=1", "--hp", "norm_num_groups=4", "--hp", "attention_head_dim=4",
                "--hp", "down_block_types=[\"DownBlock2D\",\"AttnDownBlock2D\"]", "--hp", "up_block_types=[\"AttnUpBlock2D\",\"UpBlock2D\"]",
                "--out", run.toString());
        assertEquals(0, t.exitCode(), t.err());

        Path out = dir.resolve("exported");
        Cli e = Cli.run("export", "--checkpoint", run.toString(), "--format", "diffusers", "--out", out.toString());
        assertEquals(0, e.exitCode(), e.err());
        assertTrue(Files.isRegularFile(out.resolve("unet/diffusion_pytorch_model.safetensors")));
        assertEquals(8, ((Number) Json.readObject(out.resolve("unet/config.json")).get("sample_size")).intValue());
        assertEquals("DDPMScheduler", Json.readObject(out.resolve("scheduler/scheduler_config.json")).get("_class_name"));

        Path samples = dir.resolve("s.npy");
        Cli s = Cli.run("sample", "--pretrained", out.toString(), "--steps", "2", "--n", "2", "--backend", "djl", "--out", samples.toString());
        assertEquals(0, s.exitCode(), s.err());
        assertEquals(java.util.List.of(2, 1, 8, 8), java.util.Arrays.stream(Npy.read(samples).shape()).boxed().toList());

        Cli again = Cli.run("export", "--checkpoint", run.toString(), "--out", out.toString());
        assertEquals(2, again.exitCode());
        assertTrue(again.err().startsWith("error: invalid out = '" + out + "': already exists and is not empty"), again.err());
    }

    @Test
    void aCheckpointOfAnotherArchitectureOrAnUnknownFormatIsRefused(@TempDir Path dir) {
        Path run = dir.resolve("run");
        Cli t = Cli.run("train", "--dataset", "moons", "--samples", "64", "--train-steps", "2", "--batch", "8", "--hp", "hidden=8",
                "--hp", "blocks=1", "--out", run.toString());
        assertEquals(0, t.exitCode(), t.err());
        Path out = dir.resolve("exported");
        Cli e = Cli.run("export", "--checkpoint", run.toString(), "--out", out.toString());
        assertEquals(2, e.exitCode());
        assertTrue(e.err().contains("of architecture 'mlp'") && e.err().contains("--arch diffusers-unet"), e.err());
        Cli f = Cli.run("export", "--checkpoint", run.toString(), "--format", "onnx", "--out", out.toString());
        assertTrue(f.err().startsWith("error: invalid format = 'onnx': must be diffusers"), f.err());
        assertFalse(Files.exists(out));
    }
}
