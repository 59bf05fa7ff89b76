package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model of a sampling command: {@code --denoiser KIND:LOCATION} or its shorthands {@code --checkpoint DIR}, {@code --pretrained DIR}. */
final class ModelChoice {
    @Option(names = {"--denoiser", "--model"}, paramLabel = "KIND:LOCATION",
            description = "gmm:FILE, points:FILE, checkpoint:DIR (or DIR), torchscript:FILE.pt, savedmodel:DIR or pretrained:DIR (--model is the old name).")
    String denoiser;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "A model directory written by 'ddpm train' (= --denoiser checkpoint:DIR).")
    Path checkpoint;

    @Option(names = "--pretrained", paramLabel = "DIR", description = "A diffusers UNet2DModel folder: unet/ and scheduler/ "
            + "subfolders or flat (= --denoiser pretrained:DIR). Its scheduler is the default sampler.")
    Path pretrained;

    /** The option given, for error messages. */
    String option() {
        return denoiser != null ? "--denoiser" : checkpoint != null ? "--checkpoint" : "--pretrained";
    }

    /** The model as {@code KIND:LOCATION}. */
    String spec() {
        return denoiser != null ? denoiser : checkpoint != null ? "checkpoint:" + checkpoint : "pretrained:" + pretrained;
    }
}
