package com.example.ddpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.model.Condition;
import org.ddpm4j.api.sampling.SampleOptions;
import org.ddpm4j.api.tensor.Tensor;
import org.ddpm4j.backend.java.analytic.GaussianMixture;
import org.ddpm4j.core.config.PipelineConfig;
import org.ddpm4j.core.pipeline.Pipeline;
import org.ddpm4j.core.pipeline.Pipelines;
import org.ddpm4j.examples.cli.Ddpm;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ExamplePluginTest {

    @Test
    void theCliListsThePluginWhenItIsOnTheClassPath() {
        StringWriter out = new StringWriter();
        CommandLine cl = Ddpm.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("plugins"));
        assertTrue(out.toString().contains("example-pf-euler"), out.toString());
    }

    @Test
    void samplesAGaussianMixtureThroughAJsonPipeline() {
        PipelineConfig config = PipelineConfig.parse("""
                {"schedule": {"type": "vp"},
                 "sampler": {"type": "example-pf-euler", "steps": 400},
                 "denoiser": {"type": "gmm", "weights": [0.25, 0.75], "means": [[-2.0], [1.0]], "stds": [0.3, 0.5]}}
                """);
        try (Pipeline p = Pipelines.build(config)) {
            Tensor x = p.sample(4000, new int[] {1}, SampleOptions.defaults().withSeed(3).withCondition(Condition.none()));
            double[] v = x.toDoubleArray();
            double mean = 0;
            double second = 0;
            for (double s : v) {
                mean += s;
                second += s * s;
            }
            mean /= v.length;
            double variance = second / v.length - mean * mean;
            GaussianMixture m = new GaussianMixture(new double[] {0.25, 0.75}, new double[][] {{-2}, {1}}, new double[] {0.3, 0.5});
            double trueMean = 0.25 * -2 + 0.75 * 1;
            double trueVariance = 0.25 * (0.09 + 4) + 0.75 * (0.25 + 1) - trueMean * trueMean;
            assertEquals(trueMean, mean, 0.06);
            assertEquals(trueVariance, variance, 0.1);
            assertEquals(2, m.components());
        }
    }

    @Test
    void aDiscreteScheduleIsRejectedWhenThePipelineIsBuilt() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pipelines.build(PipelineConfig.parse(
                "{\"schedule\": {\"type\": \"linear\"}, \"sampler\": {\"type\": \"example-pf-euler\"}}")));
        assertTrue(e.getMessage().contains("continuous-time schedule"), e.getMessage());
    }
}
