"""The DJL backend's MLP benchmark written directly against PyTorch, for the side-by-side in
docs/BENCHMARKS.md: the mlp of docs/NETWORKS.md with its defaults (hidden 128, 3 blocks,
time embedding 64), 50 bare forwards vs a 50-step DDIM run at batch 1024, and training steps
(weighted MSE, AdamW, gradient clipping at 1, EMA 0.999) at batch 256.

    /usr/bin/python3 tools/djl-reference/bench_torch.py --threads 1 --repeats 9

The time path runs once per distinct time when --same-time-row is given (what the Java networks do
when every sample has the same t); otherwise on every row, as a straightforward PyTorch model does.
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self, d=2, hidden=128, blocks=3, embedding=64):
        super().__init__()
        self.embedding = embedding
        self.time = nn.Sequential(nn.Linear(embedding, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        self.input = nn.Linear(d, hidden)
        self.blocks = nn.ModuleList(nn.ModuleDict({"0": nn.Linear(hidden, hidden), "time": nn.Linear(hidden, hidden),
                                                   "1": nn.Linear(hidden, hidden)}) for _ in range(blocks))
        self.output = nn.Linear(hidden, d)

    def forward(self, x, t):
        half = self.embedding // 2
        f = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
        a = t[:, None] * f[None, :]
        e = F.silu(self.time(torch.cat([torch.sin(a), torch.cos(a)], dim=1)))
        h = self.input(x)
        for b in self.blocks:
            r = b["0"](F.silu(h)) + b["time"](e)
            h = h + b["1"](F.silu(r))
        return self.output(F.silu(h))


def alpha_bar():
    return torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), dim=0)


def times(n, t, same_row):
    return torch.full((1 if same_row else n,), float(t))


@torch.no_grad()
def forwards(model, x, steps, same_row):
    for t in range(steps - 1, -1, -1):
        model(x, times(x.shape[0], t * 1000 // steps, same_row))


@torch.no_grad()
def ddim(model, x, steps, same_row, ab):
    ratio = 1000 // steps
    for i in range(steps - 1, -1, -1):
        t = i * ratio
        a, p = float(ab[t]), float(ab[t - ratio]) if i > 0 else 1.0
        e = model(x, times(x.shape[0], t, same_row))
        x0 = x / math.sqrt(a) - math.sqrt((1 - a) / a) * e
        x = math.sqrt(p) * x0 + math.sqrt(1 - p) * e
    return x


def train(model, data, steps, batch, ab):
    params = list(model.parameters())
    ema = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    abf = ab.float()
    for _ in range(steps):
        x0 = data[torch.randint(0, data.shape[0], (batch,))]
        t = torch.randint(0, 1000, (batch,))
        eps = torch.randn_like(x0)
        a = abf[t][:, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        loss = ((model(xt, t.float()) - eps) ** 2).mean(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.lerp_(p, 0.001)
        loss.item()


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--train-steps", type=int, default=200)
    parser.add_argument("--same-time-row", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ab = alpha_bar()
    model = Mlp()
    x = torch.randn(1024, 2)
    forwards(model, x, 50, args.same_time_row)
    ddim(model, x, 50, args.same_time_row, ab)
    bare, run = [], []
    for r in range(args.repeats):
        if r % 2 == 0:
            bare.append(seconds(lambda: forwards(model, x, 50, args.same_time_row)))
            run.append(seconds(lambda: ddim(model, x, 50, args.same_time_row, ab)))
        else:
            run.append(seconds(lambda: ddim(model, x, 50, args.same_time_row, ab)))
            bare.append(seconds(lambda: forwards(model, x, 50, args.same_time_row)))
    ratio = statistics.median(r / b for r, b in zip(run, bare))
    data = torch.randn(2048, 2)
    train(model, data, 20, 256, ab)
    throughput = statistics.median(256 * args.train_steps / seconds(lambda: train(model, data, args.train_steps, 256, ab))
                                   for _ in range(max(1, args.repeats // 3)))
    print(f"| PyTorch {torch.__version__} (Python, {args.threads} threads{', same-time row' if args.same_time_row else ''}) "
          f"| overhead | mlp, batch 1024 | 50-step DDIM {statistics.median(run):.3f} s / 50 forwards {statistics.median(bare):.3f} s "
          f"= **{ratio:.3f}** |")
    print(f"| PyTorch {torch.__version__} (Python, {args.threads} threads) | training | mlp, batch 256 | **{throughput:.0f} samples/s** "
          f"({1000 * 256 / throughput:.2f} ms/step) |")


if __name__ == "__main__":
    main()
