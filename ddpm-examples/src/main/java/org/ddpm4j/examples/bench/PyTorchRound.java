package org.ddpm4j.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.toolkit.io.Json;

/**
 * One round of the PyTorch column: runs {@code tools/networks-reference/bench_torch.py} (the same
 * networks, loss, optimizer and EMA in Python PyTorch) and reads the figures it prints. The script
 * times itself after its own warm-up, so interpreter start-up and library loading are not counted.
 */
public final class PyTorchRound {
    private final Path python;
    private final Path script;
    private final int threads;
    private final int batch;
    private final int unetSteps;
    private final int mlpSteps;

    public PyTorchRound(Path python, Path script, int threads, int batch, int unetSteps, int mlpSteps) {
        if (!Files.isRegularFile(script)) {
            throw new InvalidParameterException("torch-script", script.toString(), "must be the PyTorch bench script "
                    + "(tools/networks-reference/bench_torch.py; run from the repository root)");
        }
        if (!Files.isExecutable(python)) {
            throw new InvalidParameterException("python", python.toString(), "must be a Python 3 interpreter with PyTorch");
        }
        this.python = python;
        this.script = script;
        this.threads = threads;
        this.batch = batch;
        this.unetSteps = unetSteps;
        this.mlpSteps = mlpSteps;
    }

    /**
     * The script's process: this process's environment (e.g. {@code OMP_WAIT_POLICY}), plus
     * {@code OPENBLAS_NUM_THREADS} = the bench's thread count unless already set. Debian's PyTorch
     * does its matrix products (linear layers, attention) in OpenBLAS's pthreads build, whose own
     * worker threads {@code torch.set_num_threads} does not limit: at "one thread" the MLP's products
     * ran on both cores of a 2-core host (docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)"), while
     * libtorch's MKL in the DJL backend follows its thread setting. The variable is read when the
     * library loads, so it is set here, before the interpreter starts.
     */
    ProcessBuilder process() {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), "--threads", String.valueOf(threads),
                "--unet-batch", String.valueOf(batch), "--unet-steps", String.valueOf(unetSteps), "--mlp-steps", String.valueOf(mlpSteps)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putIfAbsent("OPENBLAS_NUM_THREADS", String.valueOf(threads));
        return builder;
    }

    /** Runs the script once in {@link #process()}. */
    public BackendBenchmark.Round run() {
        ProcessBuilder builder = process();
        List<String> command = builder.command();
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            if (rc != 0 || out.isEmpty()) {
                throw new IllegalStateException("the PyTorch bench failed (exit " + rc + "): " + String.join(" ", command));
            }
            Map<String, Object> r = Json.parseObject(out.substring(out.lastIndexOf('\n') + 1), script.toString());
            return new BackendBenchmark.Round(number(r, "unet_train_samples_per_s"), number(r, "unet_sample_images_per_s"),
                    number(r, "unet_forward_ms"), number(r, "mlp_train_samples_per_s"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + python, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the PyTorch bench ran", e);
        }
    }

    /** The PyTorch version the script reports is in its output; the column names the interpreter. */
    public String column() {
        return "PyTorch (" + python + ")";
    }

    private static double number(Map<String, Object> r, String key) {
        Object v = r.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("the PyTorch bench printed no number '" + key + "': " + r);
        }
        return n.doubleValue();
    }
}
