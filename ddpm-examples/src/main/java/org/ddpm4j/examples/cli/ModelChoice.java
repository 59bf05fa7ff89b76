package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model of a sampling command: {@code --denoiser KIND:LOCATION} or its shorthand {@code --checkpoint DIR}. */
final class ModelChoice {
    @Option(names = {"--denoiser", "--model"}, paramLabel = "KIND:LOCATION",
            description = "gmm:FILE, points:FILE, checkpoint:DIR (or DIR), torchscript:FILE.pt or savedmodel:DIR (--model is the old name).")
    String denoiser;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "A model directory written by 'ddpm train' (= --denoiser checkpoint:DIR).")
    Path checkpoint;

    /** The option given, for error messages. */
    String option() {
        return denoiser != null ? "--denoiser" : "--checkpoint";
    }

    /** The model as {@code KIND:LOCATION}. */
    String spec() {
        return denoiser != null ? denoiser : "checkpoint:" + checkpoint;
    }
}
