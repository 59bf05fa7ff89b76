package org.ddpm4j.backend.tf;

import java.util.Arrays;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkSpec;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** A network of {@code docs/NETWORKS.md}: validated hyper-parameters and the forward pass. */
interface Architecture {

    /**
     * The output for inputs in the neutral layout: {@code x [n, ...sample shape]}, model times
     * {@code t [n]} and class labels {@code [n]} ({@code -1}: the null class; ignored by
     * unconditional networks): the prediction (shape of x) of a denoiser, the logits {@code [n, K]}
     * of a classifier.
     */
    Operand<TFloat32> forward(Layers layers, Operand<TFloat32> x, Operand<TFloat64> t, Operand<TInt32> labels);

    /** The denoiser of {@code spec}: {@code mlp} or {@code unet}. */
    static Architecture denoiser(NetworkSpec spec) {
        Parameters p = spec.hyperparameters().scoped(spec.architecture());
        if (spec.varianceOutput() == org.ddpm4j.api.model.VarianceOutput.LEARNED && !spec.architecture().equals(DiffusersUNetConfig.ARCHITECTURE)) {
            throw new InvalidParameterException("variance_output", spec.varianceOutput().key(),
                    "the mlp and unet are built with none or learned_range (the interpolation v of Nichol & Dhariwal); learned loads with "
                    + DiffusersUNetConfig.ARCHITECTURE);
        }
        Architecture a = switch (spec.architecture()) {
            case "mlp" -> Mlp.of(spec, p, false);
            case "unet" -> UNet.of(spec, p, false);
            case DiffusersUNetConfig.ARCHITECTURE -> {
                p.markUsed(spec.hyperparameters().asMap().keySet().toArray(String[]::new));   // checked by DiffusersUNetConfig
                yield DiffusersUNet.of(spec);
            }
            default -> throw new InvalidParameterException("architecture", spec.architecture(), "must be mlp, unet or "
                    + DiffusersUNetConfig.ARCHITECTURE + " for a denoiser"
                    + ("classifier".equals(spec.architecture()) ? " (build classifiers with newClassifier)" : ""));
        };
        p.requireAllUsed();
        return a;
    }

    /** The noisy-input classifier of {@code spec}: the mlp trunk for points, the U-Net encoder for images. */
    static Architecture classifier(NetworkSpec spec) {
        if (!spec.architecture().equals("classifier")) {
            throw new InvalidParameterException("architecture", spec.architecture(), "must be classifier for a classifier");
        }
        if (spec.numClasses() < 2) {
            throw new InvalidParameterException("num_classes", spec.numClasses(), "a classifier needs at least 2 classes");
        }
        Parameters p = spec.hyperparameters().scoped(spec.architecture());
        Architecture a = spec.sampleShape().length == 1 ? Mlp.of(spec, p, true) : UNet.of(spec, p, true);
        p.requireAllUsed();
        return a;
    }

    /** Fails unless the sample shape has {@code rank} positive dimensions. */
    static int[] sampleShape(NetworkSpec spec, int rank, String what) {
        int[] s = spec.sampleShape();
        if (s.length != rank || Arrays.stream(s).anyMatch(v -> v < 1)) {
            throw new InvalidParameterException("sample_shape", Arrays.toString(s), "the " + spec.architecture() + " network needs " + what);
        }
        return s;
    }
}
