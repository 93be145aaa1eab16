"""Weight initializers: ``INITIALIZERS[name](fan_in, fan_out, rng, dtype) -> W``.

``W`` has shape ``(fan_in, fan_out)`` so layers compute ``X @ W + b``.
"""

import numpy as np


def normal(fan_in, fan_out, rng, dtype=np.float64, std=0.01):
    """Small normal, ``N(0, 0.01^2)``: the classic choice that makes deep sigmoid nets stall."""
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def glorot_uniform(fan_in, fan_out, rng, dtype=np.float64):
    """Glorot & Bengio (2010): ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``."""
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, (fan_in, fan_out)).astype(dtype)


def glorot_normal(fan_in, fan_out, rng, dtype=np.float64):
    """Glorot & Bengio (2010), normal form: ``N(0, 2 / (fan_in + fan_out))``."""
    return (np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def he_uniform(fan_in, fan_out, rng, dtype=np.float64):
    """He et al. (2015): ``U(-r, r)``, ``r = sqrt(6 / fan_in)``, for ReLU layers."""
    r = np.sqrt(6.0 / fan_in)
    return rng.uniform(-r, r, (fan_in, fan_out)).astype(dtype)


def he_normal(fan_in, fan_out, rng, dtype=np.float64):
    """He et al. (2015): ``N(0, 2 / fan_in)``, for ReLU layers."""
    return (np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))).astype(dtype)


INITIALIZERS = {
    "normal": normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}
