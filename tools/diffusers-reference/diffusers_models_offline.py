"""Lets diffusers' model code (UNet2DModel) run offline under Debian's python3-torch (1.13).

Extends diffusers_offline (which is enough for schedulers) with import-only stand-ins: float8
dtype names, torch.distributed.device_mesh / _functional_collectives, torch.compiler.disable /
is_compiling, and the safetensors package (not packaged for Debian; files are written with numpy,
see tools/safetensors-reference/write_safetensors.py). diffusers.models and its unets/transformers
subpackages are entered without their __init__ (which imports models needing torch 2).

    import diffusers_models_offline
    from diffusers.models.unets.unet_2d import UNet2DModel

DIFFUSERS_SRC (default /work/diffusers-src/src) says where diffusers' source is.
"""
import importlib.machinery
import os
import sys
import types

import diffusers_offline  # noqa: F401  (huggingface_hub stub, torch device namespaces)
import torch

SRC = os.environ.get("DIFFUSERS_SRC", "/work/diffusers-src/src")


def _stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    m.__spec__ = importlib.machinery.ModuleSpec(name, None)
    sys.modules[name] = m
    return m


for _n in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz"):
    if not hasattr(torch, _n):
        setattr(torch, _n, torch.float32)   # only named in dtype tables, never used here
for _n in ("uint16", "uint32", "uint64"):
    if not hasattr(torch, _n):
        setattr(torch, _n, torch.int32)
import torch.distributed  # noqa: E402
torch.distributed.device_mesh = _stub("torch.distributed.device_mesh", DeviceMesh=object, init_device_mesh=lambda *a, **k: None)
torch.distributed._functional_collectives = _stub("torch.distributed._functional_collectives")
if not hasattr(torch, "compiler"):
    torch.compiler = types.SimpleNamespace()
if not hasattr(torch.compiler, "disable"):
    torch.compiler.disable = lambda fn=None, *a, **k: fn if fn is not None else (lambda g: g)
if not hasattr(torch.compiler, "is_compiling"):
    torch.compiler.is_compiling = lambda: False
_stub("safetensors", safe_open=None, SafetensorError=Exception)
_stub("safetensors.torch", load_file=None, save_file=None, load=None)

sys.path.insert(0, SRC)
import diffusers  # noqa: E402,F401

for _pkg in ("models", "models/unets", "models/transformers"):
    _name = "diffusers." + _pkg.replace("/", ".")
    _m = types.ModuleType(_name)
    _m.__path__ = [os.path.join(SRC, "diffusers", _pkg)]
    sys.modules[_name] = _m
