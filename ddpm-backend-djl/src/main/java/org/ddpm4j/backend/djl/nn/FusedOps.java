package org.ddpm4j.backend.djl.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libtorch's fused {@code group_norm} and {@code silu}, and 2x nearest upsampling, which DJL 0.35.1 has
 * no binding for, reached through tiny TorchScript modules ({@code group_norm.pt}, {@code silu.pt},
 * {@code group_norm_silu.pt} for the two in one call, {@code upsample_nearest.pt}, written by
 * {@code tools/djl-reference/make_fused_ops.py}; no parameters). Each call runs libtorch's own kernel
 * forward and, while gradients are recorded, its own backward: the modules run with {@code isTrain}
 * equal to the thread's grad mode, because DJL runs a module in libtorch's inference mode otherwise,
 * whose results autograd refuses to save.
 */
final class FusedOps {
    private static final PtSymbolBlock GROUP_NORM = load("group_norm.pt");
    private static final PtSymbolBlock GROUP_NORM_SILU = load("group_norm_silu.pt");
    private static final PtSymbolBlock SILU = load("silu.pt");
    private static final PtSymbolBlock UPSAMPLE = load("upsample_nearest.pt");
    /** The 0-d scalars that carry a group count or an epsilon to the module (host memory; read with item()). */
    private static final Map<Object, NDArray> SCALARS = new ConcurrentHashMap<>();

    private FusedOps() {
    }

    /** {@code torch.group_norm(x, groups, weight, bias, eps)}; the result joins the manager of {@code x}. */
    static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        return run(GROUP_NORM, new NDList(x, weight, bias, scalar(groups), scalar(eps)));
    }

    private static NDArray scalar(int groups) {
        return SCALARS.computeIfAbsent(groups, k -> Holder.MANAGER.create((long) groups));
    }

    private static NDArray scalar(float eps) {
        return SCALARS.computeIfAbsent(eps, k -> Holder.MANAGER.create((double) eps));
    }

    /**
     * {@code silu(group_norm(x, groups, weight, bias, eps))} in one module call: the normed array is
     * freed inside as soon as SiLU has read it (unless autograd keeps it), instead of living in the
     * caller's manager until the pass ends.
     */
    static NDArray groupNormSilu(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        return run(GROUP_NORM_SILU, new NDList(x, weight, bias, scalar(groups), scalar(eps)));
    }

    /** {@code torch.nn.functional.silu(x)}; the result joins the manager of {@code x}. */
    static NDArray silu(NDArray x) {
        return run(SILU, new NDList(x));
    }

    /**
     * 2x nearest upsampling: on the CPU a depthwise transposed convolution with a 2x2 kernel of ones at
     * stride 2 (the same values; libtorch 2.x's upsample_nearest2d copies small NCHW maps to channels-last
     * and back, docs/BENCHMARKS.md "DJL: the upsampling"), elsewhere upsample_nearest2d.
     */
    static NDArray upsampleNearest2x(NDArray x) {
        return run(UPSAMPLE, new NDList(x));
    }

    private static NDArray run(PtSymbolBlock module, NDList inputs) {
        return IValueUtils.forward(module, inputs, JniUtils.isGradMode()).singletonOrThrow();
    }

    private static PtSymbolBlock load(String resource) {
        try (InputStream in = FusedOps.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the DJL backend's jar");
            }
            return JniUtils.loadModule((PtNDManager) Holder.MANAGER, in, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the DJL backend's jar", e);
        }
    }

    /**
     * The process-long manager of the modules and scalars (CPU; they are never freed). A fused op
     * first runs on an array that already exists, so the PyTorch engine is loaded (offline, by
     * DjlEngine) before this asks for it; naming DjlEngine here would make a package cycle.
     */
    private static final class Holder {
        static final NDManager MANAGER = Engine.getEngine("PyTorch").newBaseManager(ai.djl.Device.cpu());
    }
}
