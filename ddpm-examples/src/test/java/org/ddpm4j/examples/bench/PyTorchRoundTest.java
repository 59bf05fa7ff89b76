package org.ddpm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyTorchRoundTest {
    /** One thread for PyTorch means one for its BLAS too; a value set in the environment is kept. */
    @Test
    void openBlasRunsAtTheBenchThreadCountUnlessSet(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("bench_torch.py"), "");
        String inherited = System.getenv("OPENBLAS_NUM_THREADS");
        for (int threads : new int[] {1, 2}) {
            ProcessBuilder p = new PyTorchRound(Path.of("/bin/sh"), script, threads, 64, 6, 100).process();
            assertEquals(inherited != null ? inherited : String.valueOf(threads), p.environment().get("OPENBLAS_NUM_THREADS"));
            assertEquals(List.of("/bin/sh", script.toString(), "--threads", String.valueOf(threads), "--unet-batch", "64",
                    "--unet-steps", "6", "--mlp-steps", "100"), p.command());
        }
    }
}
