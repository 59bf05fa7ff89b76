"""Writes tiny diffusers UNet2DModel folders with expected outputs, by running diffusers' own code.

Each case is a random UNet2DModel (weights drawn from a fixed seed, perturbed so that no norm is the
identity) saved in diffusers' folder layout:

    model_index.json
    unet/config.json                         (flat cases: config.json at the root)
    unet/diffusion_pytorch_model.safetensors (flat cases: at the root)
    scheduler/scheduler_config.json          (flat cases: at the root)

and next to it, under expected/:
    forward_x.npy [2, C, H, W], forward_t.npy [2], forward_labels.npy [2] (class cases),
    forward_out.npy: UNet2DModel(x, t, labels).sample in float32;
    ddim_noise.npy [2, C, H, W], ddim_labels.npy, ddim_out.npy: DDIMPipeline's loop
    (DDIMScheduler.from_config(folder scheduler), set_timesteps(10), eta 0) from that noise,
    before any conversion to pixels.

    PYTHONPATH=tools/diffusers-reference:tools/safetensors-reference /usr/bin/python3 \
        tools/diffusers-reference/make_unet_fixtures.py ddpm-testkit/src/main/resources/diffusers-unet

With --cifar10-shaped DIR it instead writes one folder of google/ddpm-cifar10-32's exact config
(35.7M parameters, random weights) for the loading and speed benchmark (not for the repository).
"""
import json
import os
import sys

import numpy as np
import torch

import diffusers_models_offline  # noqa: F401  (must come before diffusers)
from diffusers import DDIMScheduler  # noqa: E402
from diffusers.models.unets.unet_2d import UNet2DModel  # noqa: E402
from write_safetensors import save  # noqa: E402

# google/ddpm-cifar10-32's scheduler_config.json, as published
DDPM_CIFAR_SCHEDULER = {"_class_name": "DDPMScheduler", "_diffusers_version": "0.1.1", "beta_end": 0.02,
                        "beta_schedule": "linear", "beta_start": 0.0001, "clip_sample": True,
                        "num_train_timesteps": 1000, "trained_betas": None, "variance_type": "fixed_large"}
# google/ddpm-cifar10-32's config.json, as published
CIFAR10_CONFIG = {"_class_name": "UNet2DModel", "_diffusers_version": "0.1.1", "act_fn": "silu",
                  "attention_head_dim": None, "block_out_channels": [128, 256, 256, 256], "center_input_sample": False,
                  "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
                  "downsample_padding": 0, "flip_sin_to_cos": False, "freq_shift": 1, "in_channels": 3,
                  "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-06, "norm_num_groups": 32,
                  "out_channels": 3, "sample_size": 32, "time_embedding_type": "positional",
                  "up_block_types": ["UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D"]}

DDIM_SCHEDULER = {"_class_name": "DDIMScheduler", "_diffusers_version": "0.30.0", "beta_end": 0.012,
                  "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
                  "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": False,
                  "steps_offset": 1, "timestep_spacing": "leading"}

CASES = {
    # two levels, attention on the deep level, heads of 4 channels, 4 groups
    "attn": dict(config=dict(sample_size=8, in_channels=3, out_channels=3, block_out_channels=[4, 8], layers_per_block=1,
                             down_block_types=["DownBlock2D", "AttnDownBlock2D"], up_block_types=["AttnUpBlock2D", "UpBlock2D"],
                             norm_num_groups=2, attention_head_dim=4),
                 scheduler=DDIM_SCHEDULER),
    # class-conditional, no attention anywhere, one input channel, 2 groups, centred input, dropout (inactive)
    "classes": dict(config=dict(sample_size=8, in_channels=1, out_channels=1, block_out_channels=[4, 8], layers_per_block=2,
                                down_block_types=["DownBlock2D", "DownBlock2D"], up_block_types=["UpBlock2D", "UpBlock2D"],
                                norm_num_groups=2, add_attention=False, num_class_embeds=3, center_input_sample=True,
                                dropout=0.1, mid_block_scale_factor=2.0),
                    scheduler=DDIM_SCHEDULER),
    # three levels, one head of all channels, weights stored as float16
    "f16": dict(config=dict(sample_size=8, in_channels=3, out_channels=3, block_out_channels=[4, 4, 8], layers_per_block=1,
                            down_block_types=["AttnDownBlock2D", "DownBlock2D", "AttnDownBlock2D"],
                            up_block_types=["AttnUpBlock2D", "UpBlock2D", "AttnUpBlock2D"],
                            norm_num_groups=4, attention_head_dim=None, freq_shift=1),
                dtype="F16", scheduler=DDIM_SCHEDULER),
    # attention weights under the old names query/key/value/proj_attn
    "legacy": dict(config=dict(sample_size=8, in_channels=3, out_channels=3, block_out_channels=[4, 8], layers_per_block=1,
                               down_block_types=["AttnDownBlock2D", "AttnDownBlock2D"], up_block_types=["AttnUpBlock2D", "AttnUpBlock2D"],
                               norm_num_groups=2, attention_head_dim=4),
                   legacy=True, scheduler=DDIM_SCHEDULER),
    # google/ddpm-cifar10-32's config shrunk: flat folder, freq_shift 1, no flip, padding 0, eps 1e-6, DDPM scheduler
    "cifar-flat": dict(config=dict(CIFAR10_CONFIG, sample_size=8, block_out_channels=[4, 8, 8], norm_num_groups=2,
                                   layers_per_block=1,
                                   down_block_types=["DownBlock2D", "AttnDownBlock2D", "DownBlock2D"],
                                   up_block_types=["UpBlock2D", "AttnUpBlock2D", "UpBlock2D"]),
                       flat=True, scheduler=DDPM_CIFAR_SCHEDULER),
}

LEGACY = {"to_q": "query", "to_k": "key", "to_v": "value", "to_out.0": "proj_attn"}


def public(config):
    return {k: v for k, v in config.items() if not k.startswith("_")}


def build(config, seed, dtype=None):
    torch.manual_seed(seed)
    model = UNet2DModel(**public(config)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.2 * torch.randn_like(p))   # norms away from the identity, biases away from 0
            if dtype == "F16":
                p.copy_(p.half().float())         # what a float16 file holds
    return model


def save_folder(root, model, config, scheduler, flat, dtype="F32", legacy=False):
    unet_dir = root if flat else os.path.join(root, "unet")
    sched_dir = root if flat else os.path.join(root, "scheduler")
    os.makedirs(unet_dir, exist_ok=True)
    os.makedirs(sched_dir, exist_ok=True)
    tensors = {}
    for name, p in model.state_dict().items():
        if legacy and ".attentions." in name:
            for new, old in LEGACY.items():
                if ("." + new + ".") in name:
                    name = name.replace("." + new + ".", "." + old + ".")
        tensors[name] = (dtype, p.detach().numpy())
    save(os.path.join(unet_dir, "diffusion_pytorch_model.safetensors"), tensors, metadata={"format": "pt"})
    full = {"_class_name": "UNet2DModel", "_diffusers_version": "0.30.0", **public(config)}
    with open(os.path.join(unet_dir, "config.json"), "w") as f:
        json.dump(full, f, indent=2)
    with open(os.path.join(sched_dir, "scheduler_config.json"), "w") as f:
        json.dump(scheduler, f, indent=2)
    index = {"_class_name": "DDPMPipeline" if scheduler["_class_name"] == "DDPMScheduler" else "DDIMPipeline",
             "_diffusers_version": "0.30.0"}
    if not flat:
        index.update({"unet": ["diffusers", "UNet2DModel"], "scheduler": ["diffusers", scheduler["_class_name"]]})
    with open(os.path.join(root, "model_index.json"), "w") as f:
        json.dump(index, f, indent=2)


def ddim_loop(model, scheduler_config, noise, labels, steps=10):
    """DDIMPipeline.__call__'s loop (eta 0), returning the final sample before conversion to pixels."""
    scheduler = DDIMScheduler.from_config(scheduler_config)
    scheduler.set_timesteps(steps)
    image = torch.from_numpy(noise)
    for t in scheduler.timesteps:
        model_output = model(image, t, class_labels=labels).sample
        image = scheduler.step(model_output, t, image, eta=0.0, use_clipped_model_output=None).prev_sample
    return image.numpy()


def write_case(out, name, case, seed):
    root = os.path.join(out, name)
    config = case["config"]
    model = build(config, seed, case.get("dtype"))
    save_folder(root, model, config, case["scheduler"], case.get("flat", False), case.get("dtype", "F32"), case.get("legacy", False))
    rng = np.random.RandomState(seed)
    c, s = config["in_channels"], config["sample_size"]
    classes = config.get("num_class_embeds")
    x = rng.randn(2, c, s, s).astype(np.float32)
    t = np.array([37, 999], dtype=np.int64)
    labels = np.array([2, 0], dtype=np.int64) if classes else None
    with torch.no_grad():
        out_f = model(torch.from_numpy(x), torch.from_numpy(t),
                      class_labels=None if labels is None else torch.from_numpy(labels)).sample.numpy()
        noise = rng.randn(2, c, s, s).astype(np.float32)
        final = ddim_loop(model, case["scheduler"], noise, None if labels is None else torch.from_numpy(labels))
    exp = os.path.join(root, "expected")
    os.makedirs(exp, exist_ok=True)
    np.save(os.path.join(exp, "forward_x.npy"), x)
    np.save(os.path.join(exp, "forward_t.npy"), t.astype(np.float64))
    np.save(os.path.join(exp, "forward_out.npy"), out_f)
    np.save(os.path.join(exp, "ddim_noise.npy"), noise)
    np.save(os.path.join(exp, "ddim_out.npy"), final)
    if labels is not None:
        np.save(os.path.join(exp, "forward_labels.npy"), labels.astype(np.float64))
    print(name, sum(p.numel() for p in model.parameters()), "parameters", "|out|", float(np.abs(out_f).mean()),
          "|ddim|", float(np.abs(final).mean()))


def main():
    if sys.argv[1] == "--cifar10-shaped":
        root = sys.argv[2]
        model = build(CIFAR10_CONFIG, 0)
        save_folder(root, model, CIFAR10_CONFIG, DDPM_CIFAR_SCHEDULER, flat=True)
        print(root, sum(p.numel() for p in model.parameters()), "parameters")
        return
    for i, (name, case) in enumerate(CASES.items()):
        write_case(sys.argv[1], name, case, 1000 + i)
    # the file list lets Java tests copy the folders out of a jar
    files = sorted(os.path.relpath(os.path.join(d, f), sys.argv[1]) for d, _, fs in os.walk(sys.argv[1]) for f in fs
                   if f != "index.txt")
    with open(os.path.join(sys.argv[1], "index.txt"), "w") as f:
        f.write("\n".join(files) + "\n")


if __name__ == "__main__":
    main()
