package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import org.ddpm4j.api.MemoryBudget;
import org.ddpm4j.toolkit.io.OutputPaths;

/** The output checks every sampling command makes before it starts: file names and types, and the memory of the batch. */
final class Outputs {
    /**
     * Bytes a sampling run holds per value of the batch: a handful of states, multistep history and
     * the denoiser's intermediates (float64 on the java backend), plus the float64 host copy written out.
     */
    static final double BYTES_PER_SAMPLED_VALUE = 10 * Double.BYTES;

    private Outputs() {
    }

    /** {@code --out FILE.npy} and {@code --grid FILE.png}, either may be null. */
    static void checkFiles(Path npy, Path png) {
        if (npy != null) {
            OutputPaths.checkFile("--out", npy, ".npy");
        }
        if (png != null) {
            OutputPaths.checkFile("--grid", png, ".png");
        }
    }

    /** Refuses a batch of {@code n} samples of {@code valuesPerSample} that would not fit in memory. */
    static void checkBatchMemory(String option, Object value, long n, long valuesPerSample) {
        MemoryBudget.require(option, value, (double) n * valuesPerSample * BYTES_PER_SAMPLED_VALUE,
                "sample in chunks: run the command several times with fewer samples and other seeds");
    }
}
