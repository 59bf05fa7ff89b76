"""Writes the reference fixtures of the DJL backend's NetworkReferenceTest.

For each case in CASES: random weights (every parameter non-zero, so every path counts), random
inputs, and the outputs of networks.py (this directory), the independent PyTorch implementation of
docs/NETWORKS.md; for classifiers also grad_x log p(y | x, t); for the "adamw" case three steps of
torch.optim.AdamW after clip_grad_norm_ with an EMA. Output: one .npz per case plus cases.json (the
NetworkSpec of each case) in ddpm-backend-djl/src/test/resources/reference/.

    /usr/bin/python3 tools/djl-reference/make_fixtures.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

import networks

OUT = os.path.join(os.path.dirname(__file__), "../../ddpm-backend-djl/src/test/resources/reference")

MLP = {"hidden": 16, "blocks": 2, "time_embedding": 8, "time_scale": 1.0, "dropout": 0.0}
UNET = {"channels": 4, "channel_mult": [1, 2, 2], "num_res_blocks": 1, "attention_levels": [1], "heads": 2,
        "groups": 2, "dropout": 0.0, "time_scale": 1.0}
UNET_SMALL = {"channels": 4, "channel_mult": [1, 2], "num_res_blocks": 1, "attention_levels": [1], "heads": 2,
              "groups": 2, "dropout": 0.0, "time_scale": 1000.0}

# name: (kind, architecture, sample_shape, classes, hyper-parameters, batch, time: "steps", "continuous" or "same")
CASES = {
    "mlp_conditional": ("denoiser", "mlp", [3], 3, MLP, 6, "steps"),
    "mlp_continuous": ("denoiser", "mlp", [2], 0, dict(MLP, hidden=8, blocks=1, time_embedding=6, time_scale=1000.0), 4, "continuous"),
    "unet_conditional": ("denoiser", "unet", [2, 12, 12], 3, UNET, 3, "steps"),
    "unet_continuous": ("denoiser", "unet", [1, 8, 8], 0, UNET_SMALL, 2, "continuous"),
    "classifier_points": ("classifier", "classifier", [3], 4, MLP, 5, "steps"),
    "classifier_images": ("classifier", "classifier", [2, 8, 8], 3, dict(UNET_SMALL, time_scale=1.0), 3, "steps"),
    "adamw": ("training", "mlp", [2], 2, dict(MLP, hidden=8, blocks=1), 8, "steps"),
    "mlp_same_time": ("denoiser", "mlp", [3], 3, MLP, 4, "same"),
    "unet_same_time": ("denoiser", "unet", [1, 8, 8], 3, dict(UNET_SMALL, time_scale=1.0), 3, "same"),
}
OPTIMIZER = {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-8, "weight_decay": 0.01, "clip": 0.5, "ema": 0.9, "steps": 3}


def make(generator):
    def init(shape, kind, fan_in):
        if kind == "norm_weight":
            return 1 + 0.2 * torch.randn(shape, generator=generator)
        if kind == "norm_bias":
            return 0.2 * torch.randn(shape, generator=generator)
        if kind == "embedding":
            return torch.randn(shape, generator=generator)
        bound = 1 / np.sqrt(fan_in)
        return (2 * torch.rand(shape, generator=generator) - 1) * bound
    return init


def forward(P, arch, x, t, labels, hp, classes, classifier):
    c = dict(hp, training=False)
    fn = networks.mlp if len(x.shape) == 2 else networks.unet
    return fn(P, x, t, labels, c, classes, head=classes if classifier else None)


def inputs(generator, shape, batch, classes, time):
    x = torch.randn([batch] + shape, generator=generator)
    t = torch.rand(batch, generator=generator) if time == "continuous" else torch.randint(0, 1000, (batch,), generator=generator).float()
    if time == "same":
        t = torch.full((batch,), float(t[0]))
    labels = torch.randint(-1, max(classes, 1), (batch,), generator=generator) if classes > 0 else torch.full((batch,), -1)
    return x, t, labels


def main():
    os.makedirs(OUT, exist_ok=True)
    specs = {}
    for index, (name, (kind, arch, shape, classes, hp, batch, time)) in enumerate(CASES.items()):
        generator = torch.Generator().manual_seed(1000 + index)
        P = networks.LazyParameters(make(generator))
        x, t, labels = inputs(generator, shape, batch, classes, time)
        classifier = kind == "classifier"
        if classifier:
            labels = torch.randint(0, classes, (batch,), generator=generator)
        arrays = {"x": x, "t": t, "labels": labels.float()}
        if kind == "training":
            arrays.update(train(P, arch, x, t, labels, hp, classes, generator))
        else:
            leaf = x.clone().requires_grad_(classifier)
            out = forward(P, arch, leaf, t, labels, hp, classes, classifier)
            arrays["output"] = out
            if classifier:
                log_p = torch.log_softmax(out, dim=1)
                log_p.gather(1, labels[:, None]).sum().backward()
                arrays["log_probabilities"] = log_p
                arrays["gradient"] = leaf.grad
        for key, value in P.items():
            arrays.setdefault("weights/" + key, value)
        np.savez(os.path.join(OUT, name + ".npz"), **{k: v.detach().numpy().astype(np.float32) for k, v in arrays.items()})
        specs[name] = {"kind": kind, "architecture": arch, "sample_shape": shape, "num_classes": classes, "hyperparameters": hp}
    specs["adamw"]["optimizer"] = OPTIMIZER
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(specs, f, indent=2)
        f.write("\n")


def train(P, arch, x, t, labels, hp, classes, generator):
    """OPTIMIZER["steps"] AdamW steps on the weighted MSE to a fixed target; the state after them."""
    forward(P, arch, x, t, labels, hp, classes, False)        # creates the parameters
    initial = {"weights/" + k: v.clone() for k, v in P.items()}
    params = list(P.values())
    for p in params:
        p.requires_grad_(True)
    ema = [p.detach().clone() for p in params]
    o = OPTIMIZER
    optimizer = torch.optim.AdamW(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], weight_decay=o["weight_decay"])
    target = torch.randn(x.shape, generator=generator)
    weights = torch.rand(x.shape[0], generator=generator) + 0.5
    losses = []
    for _ in range(o["steps"]):
        optimizer.zero_grad()
        out = forward(P, arch, x, t, labels, hp, classes, False)
        loss = (weights * ((out - target) ** 2).reshape(x.shape[0], -1).mean(dim=1)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, o["clip"])
        optimizer.step()
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.mul_(o["ema"]).add_(p, alpha=1 - o["ema"])
        losses.append(loss.detach())
    result = dict(initial)
    result.update({"target": target, "loss_weights": weights, "losses": torch.stack(losses)})
    for (key, p), e in zip(P.items(), ema):
        state = optimizer.state[p]
        result["expected/weights/" + key] = p.detach()
        result["expected/ema/" + key] = e
        result["expected/adam_m/" + key] = state["exp_avg"]
        result["expected/adam_v/" + key] = state["exp_avg_sq"]
    return result


if __name__ == "__main__":
    main()
