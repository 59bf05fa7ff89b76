"""Lets diffusers' scheduler code run offline under Debian's python3-torch (1.13).

diffusers imports huggingface_hub (not packaged by Debian, and PyPI is out of reach here) and a few
torch device modules newer than 1.13. Schedulers use neither; this module stubs both. Import it
before diffusers.
"""
import sys, types, importlib.abc, importlib.machinery
class _Dummy:
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k: return a[0]
        return _Dummy()
    def __getattr__(self, n): return _Dummy()
    def __mro_entries__(self, bases): return (object,)
def _getattr(name):
    if name.startswith('__'): raise AttributeError(name)
    if name.isupper(): return "/tmp/hf" if "HOME" in name or "CACHE" in name or "PATH" in name else False
    if name[0].isupper():
        return type(name, (Exception,), {})
    return _Dummy()
class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname == 'huggingface_hub' or fullname.startswith('huggingface_hub.'):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
    def create_module(self, spec):
        m = types.ModuleType(spec.name); m.__path__ = []; m.__getattr__ = _getattr; m.__version__ = "0.99.0"; return m
    def exec_module(self, module): pass
sys.meta_path.insert(0, _Finder())
import torch as _torch
for _n in ("xpu", "mps", "mtia", "npu", "musa"):
    if not hasattr(_torch, _n):
        setattr(_torch, _n, types.SimpleNamespace(empty_cache=lambda: None, is_available=lambda: False, device_count=lambda: 0,
                 manual_seed=lambda *a: None, synchronize=lambda *a: None, reset_peak_memory_stats=lambda *a: None,
                 max_memory_allocated=lambda *a: 0, reset_max_memory_allocated=lambda *a: None))
