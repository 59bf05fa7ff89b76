"""Writes two tiny TorchScript denoisers with their JSON sidecars for the DJL backend's tests.

Each module is the exact noise predictor eps*(x_t, t) = E[eps | x_t] for Gaussian data
x_0 ~ N(mu, s^2 I) under the linear schedule (betas 1e-4 .. 0.02, T = 1000):
    eps*(x_t, t) = sqrt(1 - abar_t) (x_t - sqrt(abar_t) mu) / (abar_t s^2 + 1 - abar_t),
so DDIM sampling from it must give samples with mean mu and standard deviation s.
  gaussian.pt              forward(x [N, 2], t [N] float32)                 mu = (1, -2), s = 0.5
  gaussian_conditional.pt  forward(x [N, 2], t [N] float32, y [N] int64)    mu = MEANS[y]; y = 3 is the null class

    /usr/bin/python3 tools/djl-reference/make_torchscript.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "../../ddpm-backend-djl/src/test/resources/torchscript")
SPREAD = 0.5
MEAN = [1.0, -2.0]
MEANS = [[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]   # classes 0..2, then the null class


def alpha_bar():
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0).float()


class Gaussian(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("alpha_bar", alpha_bar())
        self.register_buffer("mean", torch.tensor(MEAN))
        self.variance = SPREAD ** 2

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar[t.round().long()][:, None]
        return torch.sqrt(1 - ab) * (x - torch.sqrt(ab) * self.mean) / (ab * self.variance + 1 - ab)


class ConditionalGaussian(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("alpha_bar", alpha_bar())
        self.register_buffer("means", torch.tensor(MEANS))
        self.variance = SPREAD ** 2

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar[t.round().long()][:, None]
        return torch.sqrt(1 - ab) * (x - torch.sqrt(ab) * self.means[y]) / (ab * self.variance + 1 - ab)


def save(module, name, classes):
    torch.jit.script(module).save(os.path.join(OUT, name + ".pt"))
    sidecar = {"parameterization": "epsilon", "schedule": {"type": "linear", "num_train_timesteps": 1000},
               "sample_shape": [2], "num_classes": classes}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(sidecar, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    save(Gaussian(), "gaussian", 0)
    save(ConditionalGaussian(), "gaussian_conditional", 3)
