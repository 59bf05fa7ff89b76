package org.ddpm4j.backend.djl.nn;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkSpec;

/** Builds the network a {@link NetworkSpec} names (docs/NETWORKS.md), checking its hyper-parameters. */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** A denoiser: {@code mlp} for points {@code [d]}, {@code unet} for images {@code [C, H, W]}. */
    public static Network denoiser(NetworkSpec spec) {
        Parameters p = hyperparameters(spec);
        if (spec.varianceOutput() == org.ddpm4j.api.model.VarianceOutput.LEARNED && !spec.architecture().equals(DiffusersUNetConfig.ARCHITECTURE)) {
            throw new InvalidParameterException("variance_output", spec.varianceOutput().key(),
                    "the mlp and unet are built with none or learned_range (the interpolation v of Nichol & Dhariwal); learned loads with "
                    + DiffusersUNetConfig.ARCHITECTURE);
        }
        return switch (spec.architecture()) {
            case "mlp" -> Mlp.denoiser(MlpConfig.from(p), points(spec), spec.numClasses(), spec.outputChannels());
            case "unet" -> UNet.denoiser(UNetConfig.from(p, spec.sampleShape()), spec.sampleShape(), spec.numClasses(), spec.outputChannels());
            case DiffusersUNetConfig.ARCHITECTURE -> new DiffusersUNet(DiffusersUNetConfig.of(spec), spec.sampleShape());
            default -> throw new InvalidParameterException("architecture", spec.architecture(),
                    "is not a denoiser; allowed: mlp (points), unet (images), " + DiffusersUNetConfig.ARCHITECTURE + " (images)");
        };
    }

    /** A noisy-input classifier ({@code classifier}): the mlp trunk for points, the unet encoder for images. */
    public static Network classifier(NetworkSpec spec) {
        if (!spec.architecture().equals("classifier")) {
            throw new InvalidParameterException("architecture", spec.architecture(), "is not a classifier; allowed: classifier");
        }
        if (spec.numClasses() < 2) {
            throw new InvalidParameterException("num_classes", spec.numClasses(), "a classifier needs at least 2 classes");
        }
        Parameters p = hyperparameters(spec);
        int[] shape = spec.sampleShape();
        if (shape.length == 1) {
            return Mlp.classifier(MlpConfig.from(p), points(spec), spec.numClasses());
        }
        return UNet.classifier(UNetConfig.from(p, shape), shape, spec.numClasses());
    }

    private static Parameters hyperparameters(NetworkSpec spec) {
        return Parameters.of(spec.hyperparameters().asMap()).scoped("hyperparameters");
    }

    private static int points(NetworkSpec spec) {
        int[] shape = spec.sampleShape();
        if (shape.length != 1 || shape[0] < 1) {
            throw new InvalidParameterException("sample_shape", Arrays.toString(shape), "must be [d] (points) for the mlp; use unet for images");
        }
        return shape[0];
    }
}
