"""The one-hidden-layer (denoising) autoencoder: corruption, codes, loss and gradients.

An autoencoder layer encodes ``h = act(x~ W + b)`` from a corrupted input
``x~`` and decodes ``r = out(h W' + b')`` with ``W' = W^T`` (tied weights) or
its own ``W'`` (untied), trained to reconstruct the clean ``x``:

* ``out = sigmoid`` with the binary cross-entropy, for inputs in [0, 1];
* ``out = identity`` with the squared error ``||x - r||^2 / 2``.

For both pairs the output delta is ``r - x`` (as in :mod:`deepbelief.math.feedforward`).
Corruption (Vincent et al. 2008, 2010): ``"masking"`` sets a random fraction
of the inputs to 0, ``"gaussian"`` adds ``N(0, level^2)`` noise.  ``cfg``
below is a layer's :class:`deepbelief.training.autoencoder.AEConfig` (its
``activation``, ``output``, ``tied``, ``init`` and ``alpha`` are read here).
"""

import numpy as np

from ..kernels.numpy_kernels import uniform
from .activations import ACTIVATIONS, DERIVATIVES, LOSSES
from .initializers import INITIALIZERS

CORRUPTIONS = ("none", "masking", "gaussian")
LOSS_FOR_OUTPUT = {"sigmoid": "binary_log_loss", "identity": "squared_error"}


def init_autoencoder(n_in, n_hidden, cfg, rng, dtype=np.float64):
    """Random parameters of one layer: ``W`` from ``cfg.init``, zero biases."""
    params = {"W": INITIALIZERS[cfg.init](n_in, n_hidden, rng, dtype),
              "b": np.zeros(n_hidden, dtype=dtype), "b_out": np.zeros(n_in, dtype=dtype)}
    if not cfg.tied:
        params["W_out"] = INITIALIZERS[cfg.init](n_hidden, n_in, rng, dtype)
    return params


def leaves(params):
    """The parameter arrays in their fixed order: ``W``, ``b``, ``b_out``[, ``W_out``]."""
    return [params[k] for k in ("W", "b", "b_out", "W_out") if k in params]


def corrupt(X, kind, level, rng):
    """A corrupted copy of ``X``: masking noise or additive Gaussian noise."""
    if kind == "none" or level == 0:
        return X
    if kind == "masking":
        keep = uniform(rng, np.empty(X.shape, dtype=X.dtype))
        np.greater_equal(keep, level, out=keep)
        return X * keep
    if kind == "gaussian":
        return X + level * rng.standard_normal(X.shape, dtype=X.dtype)
    raise ValueError(f"corruption must be one of {CORRUPTIONS}; got {kind!r}.")


def decoder_weights(params):
    return params["W_out"] if "W_out" in params else params["W"].T


def encode(params, X, activation):
    """Codes ``act(X W + b)``."""
    return ACTIVATIONS[activation](X @ params["W"] + params["b"])


def decode(params, H, output):
    """Reconstructions ``out(H W' + b')``."""
    return ACTIVATIONS[output](H @ decoder_weights(params) + params["b_out"])


def reconstruction_loss(X, params, cfg, X_in=None):
    """Mean reconstruction loss of ``X`` (from the input ``X_in``, default ``X``)."""
    R = decode(params, encode(params, X if X_in is None else X_in, cfg.activation), cfg.output)
    return LOSSES[LOSS_FOR_OUTPUT[cfg.output]](X, R)


def autoencoder_gradients(params, X_in, X, cfg, scale=1.0):
    """Gradients of the mean reconstruction loss (+ ``alpha/2 ||W||^2``) times ``scale``.

    ``X_in`` is the (corrupted) input and ``X`` the target.  Returns the
    gradients in the order of the parameters (``W``, ``b``, ``b_out``[, ``W_out``])
    and the loss.  With tied weights the gradient of ``W`` sums the encoder's
    and the decoder's parts.
    """
    n = X.shape[0]
    H = encode(params, X_in, cfg.activation)
    R = decode(params, H, cfg.output)
    loss = LOSSES[LOSS_FOR_OUTPUT[cfg.output]](X, R)
    delta = R - X  # output delta of both loss/output pairs
    delta *= scale / n
    g_dec = H.T @ delta  # (n_hidden, n_in)
    g_b_out = delta.sum(axis=0)
    dH = delta @ decoder_weights(params).T
    delta_h = DERIVATIVES[cfg.activation](H, dH)  # overwrites H
    g_W = X_in.T @ delta_h
    g_b = delta_h.sum(axis=0)
    if "W_out" in params:
        grads = [g_W, g_b, g_b_out, g_dec]
    else:
        g_W += g_dec.T
        grads = [g_W, g_b, g_b_out]
    if cfg.alpha:
        grads[0] += (scale * cfg.alpha) * params["W"]
        if "W_out" in params:
            grads[3] += (scale * cfg.alpha) * params["W_out"]
    return grads, loss
