#!/usr/bin/python3
"""One round of the PyTorch column of `ddpm bench backend --what versus-torch`: the same networks as
the Java backends (reference.py, written from docs/NETWORKS.md), the same loss, optimizer and EMA.

    /usr/bin/python3 tools/networks-reference/bench_torch.py --threads 1 --unet-steps 6 --mlp-steps 100

prints one JSON object:
  unet_train_samples_per_s   the recipe's U-Net (channels 16, channel_mult [1, 2, 2], one residual
                             block, attention at 7x7, 10 classes), batch 64: eps-prediction MSE,
                             AdamW (betas 0.9/0.999, eps 1e-8, no weight decay), gradient clipping at
                             norm 1, EMA update; after warm-up steps
  unet_sample_images_per_s   20-step DPM-Solver++ (2M, linear schedule) from N(0, I), batch 64, labels
                             0..9 in turn; the second of two runs
  unet_forward_ms            one forward pass without gradients, batch 64
  mlp_train_samples_per_s    the default mlp on 2-D points, batch 256, same training step
Run by the Java bench between its own rounds, so both see the same machine load.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import Mlp, UNet  # noqa: E402

RECIPE_UNET = dict(channels=16, channel_mult=(1, 2, 2), num_res_blocks=1, attention_levels=[2], dropout=0.0, classes=10)


def alpha_bar():
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)


class Trainer:
    """eps-prediction MSE, AdamW, clipping at norm 1, EMA (decay min(0.999, (1 + k) / (10 + k)))."""

    def __init__(self, model, ab):
        self.model, self.ab = model, ab.float()
        self.params = list(model.parameters())
        self.ema = [p.detach().clone() for p in self.params]
        self.optimizer = torch.optim.AdamW(self.params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
        self.k = 0

    def step(self, data, labels, batch):
        i = torch.randint(0, data.shape[0], (batch,))
        x0 = data[i]
        t = torch.randint(0, 1000, (batch,))
        eps = torch.randn_like(x0)
        a = self.ab[t].view(-1, *([1] * (x0.dim() - 1)))
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        y = labels[i] if labels is not None else torch.full((batch,), -1)
        loss = ((self.model(xt, t.double(), y) - eps) ** 2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        self.k += 1
        d = min(0.999, (1 + self.k) / (10 + self.k))
        with torch.no_grad():
            torch._foreach_mul_(self.ema, d)
            torch._foreach_add_(self.ema, self.params, alpha=1 - d)
        return loss.item()


def samples_per_second(trainer, data, labels, batch, steps):
    for _ in range(max(3, steps // 10)):  # as the Java bench
        trainer.step(data, labels, batch)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step(data, labels, batch)
    return batch * steps / (time.perf_counter() - start)


@torch.no_grad()
def dpm_solver_pp(model, x, y, steps, ab):
    """DPM-Solver++(2M) with timesteps as diffusers' linspace spacing; the update is negligible next to the forwards."""
    ts = [round(999 - i * 1000 / steps) for i in range(steps)]
    lam = lambda t: 0.5 * math.log(ab[t] / (1 - ab[t]))
    previous = None
    for i, t in enumerate(ts):
        a, s = math.sqrt(ab[t]), math.sqrt(1 - ab[t])
        x0 = (x - s * model(x, torch.full((x.shape[0],), float(t), dtype=torch.float64), y)) / a
        if i + 1 == len(ts):
            return x0
        tn = ts[i + 1]
        an, sn = math.sqrt(ab[tn]), math.sqrt(1 - ab[tn])
        h = lam(tn) - lam(t)
        d = x0 if previous is None else x0 + (x0 - previous[0]) * h / (2 * (lam(t) - lam(previous[1])))
        x = (sn / s) * x - an * math.expm1(-h) * d
        previous = (x0, t)
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--unet-steps", type=int, default=6)
    p.add_argument("--mlp-steps", type=int, default=100)
    p.add_argument("--unet-batch", type=int, default=64)
    p.add_argument("--sampling-steps", type=int, default=20)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    ab = alpha_bar()
    abl = ab.tolist()
    n = args.unet_batch
    unet = UNet((1, 28, 28), **RECIPE_UNET)
    images, labels = torch.randn(2048, 1, 28, 28), torch.arange(2048) % 10
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "parameters": sum(q.numel() for q in unet.parameters())}
    out["unet_train_samples_per_s"] = samples_per_second(Trainer(unet, ab), images, labels, n, args.unet_steps)
    unet.eval()
    x, y = torch.randn(n, 1, 28, 28), torch.arange(n) % 10
    t = torch.full((n,), 500.0, dtype=torch.float64)
    with torch.no_grad():
        unet(x, t, y)
        start = time.perf_counter()
        unet(x, t, y)
        out["unet_forward_ms"] = 1000 * (time.perf_counter() - start)
    dpm_solver_pp(unet, x, y, args.sampling_steps, abl)  # warm-up run, as the Java side's
    start = time.perf_counter()
    dpm_solver_pp(unet, x, y, args.sampling_steps, abl)
    out["unet_sample_images_per_s"] = n / (time.perf_counter() - start)
    mlp = Mlp(2)
    out["mlp_train_samples_per_s"] = samples_per_second(Trainer(mlp, ab), torch.randn(2048, 2), None, 256, args.mlp_steps)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
