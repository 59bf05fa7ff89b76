package org.ddpm4j.examples.eval;

import org.ddpm4j.api.model.Classifier;
import org.ddpm4j.api.schedule.Schedule;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.backend.java.analytic.GaussianMixtureClassifier;

/** The Bayes classifier of a Gaussian mixture's components, with the samples themselves as features: an exact evaluation classifier. */
final class GaussianMixtureJudge implements Classifier {
    private final GaussianMixtureClassifier exact;

    GaussianMixtureJudge(GaussianMixture mixture, Schedule schedule) {
        this.exact = new GaussianMixtureClassifier(mixture, schedule);
    }

    @Override
    public int numClasses() {
        return exact.numClasses();
    }

    @Override
    public Tensor logProbabilities(Tensor x, double[] t) {
        return exact.logProbabilities(x, t);
    }

    @Override
    public Tensor logProbabilityGradient(Tensor x, double[] t, int[] labels) {
        return exact.logProbabilityGradient(x, t, labels);
    }

    @Override
    public Tensor features(Tensor x, double[] t) {
        return x.mul(1);
    }
}
