package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.core.pretrained.DiffusersExport;
import org.ddpm4j.toolkit.io.OutputPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes a trained model in another ecosystem's format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the latest checkpoint of a training directory as a diffusers model folder (model_index.json, "
                + "unet/config.json, unet/diffusion_pytorch_model.safetensors with the EMA weights, scheduler/scheduler_config.json).",
        footer = {"", "Only denoisers trained with --arch diffusers-unet have a diffusers equivalent (UNet2DModel); the folder loads "
                + "with diffusers' UNet2DModel.from_pretrained / DDPMPipeline and with 'ddpm sample --pretrained'.",
                "", "Example:",
                "  ddpm export --checkpoint runs/fashion --format diffusers --out exported/fashion"})
final class ExportCommand implements Runnable {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A training directory (its latest checkpoint).")
    Path checkpoint;

    @Option(names = "--format", defaultValue = "diffusers", description = "The format: diffusers (the only one so far).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new folder to write (absent or empty).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (!format.equals("diffusers")) {
            throw new InvalidParameterException("format", format, "must be diffusers");
        }
        OutputPaths.checkDirectory("out", out);
        DiffusersExport.export(checkpoint, out);
        spec.commandLine().getOut().println("wrote " + out + " (diffusers UNet2DModel + DDPMScheduler)");
    }
}
