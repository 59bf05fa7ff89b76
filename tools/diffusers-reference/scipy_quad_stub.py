"""A stand-in for the one scipy function diffusers' LMSDiscreteScheduler needs (scipy is not installed here).

LMSDiscreteScheduler integrates a Lagrange basis polynomial of degree <= 3 with
``scipy.integrate.quad``; 8-point Gauss-Legendre quadrature integrates such polynomials exactly, so
the coefficients are the same up to rounding. Import before diffusers.
"""
import importlib.machinery
import sys
import types

import numpy as np


def quad(f, a, b, epsrel=None, **kwargs):
    nodes, weights = np.polynomial.legendre.leggauss(8)
    half = 0.5 * (float(b) - float(a))
    mid = 0.5 * (float(b) + float(a))
    return float(sum(w * float(f(mid + half * x)) for x, w in zip(nodes, weights)) * half), 0.0


_scipy = types.ModuleType("scipy")
_scipy.__spec__ = importlib.machinery.ModuleSpec("scipy", None)
_scipy.__version__ = "0.0-stub"
_scipy.integrate = types.ModuleType("scipy.integrate")
_scipy.integrate.quad = quad
_scipy.stats = types.ModuleType("scipy.stats")
sys.modules.update({"scipy": _scipy, "scipy.integrate": _scipy.integrate, "scipy.stats": _scipy.stats})

import diffusers.utils.import_utils as _import_utils  # noqa: E402

_import_utils._scipy_available = True
