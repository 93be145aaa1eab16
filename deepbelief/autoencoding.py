"""One-hidden-layer (denoising) autoencoders and their greedy stacking.

An autoencoder layer encodes ``h = act(x~ W + b)`` from a corrupted input
``x~`` and decodes ``r = out(h W' + b')`` with ``W' = W^T`` (tied weights) or
its own ``W'`` (untied), trained to reconstruct the clean ``x``:

* ``out = sigmoid`` with the binary cross-entropy, for inputs in [0, 1];
* ``out = identity`` with the squared error ``||x - r||^2 / 2``.

For both pairs the output delta is ``r - x`` (as in :mod:`deepbelief.feedforward`).
Corruption (Vincent et al. 2008, 2010): ``"masking"`` sets a random fraction
of the inputs to 0, ``"gaussian"`` adds ``N(0, level^2)`` noise.  Stacking
trains each layer on the clean codes of the layer below, computed once per
layer (Bengio et al. 2007).
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, LOSSES
from .energy import uniform
from .epochs import run_epochs
from .initializers import INITIALIZERS
from .optimizers import make_optimizer

CORRUPTIONS = ("none", "masking", "gaussian")
LOSS_FOR_OUTPUT = {"sigmoid": "binary_log_loss", "identity": "squared_error"}


@dataclass
class AEConfig:
    """Hyper-parameters of one autoencoder layer (see the estimators)."""

    activation: str = "sigmoid"
    output: str = "sigmoid"  # or "identity"
    tied: bool = True
    corruption: str = "none"
    corruption_level: float = 0.0
    solver: str = "momentum"
    learning_rate: float = 0.1
    learning_rate_schedule: str = "constant"
    momentum: float = 0.9
    alpha: float = 0.0  # L2 on the weights, mean-loss scale
    batch_size: int = 100
    init: str = "glorot_uniform"


@dataclass
class AEState:
    params: dict  # W, b, b_out, and W_out when untied
    opt_state: object = None
    epoch: int = 0
    history: dict = field(default_factory=dict)


def init_autoencoder(n_in, n_hidden, cfg, rng, dtype=np.float64):
    """Random parameters of one layer: ``W`` from ``cfg.init``, zero biases."""
    params = {"W": INITIALIZERS[cfg.init](n_in, n_hidden, rng, dtype),
              "b": np.zeros(n_hidden, dtype=dtype), "b_out": np.zeros(n_in, dtype=dtype)}
    if not cfg.tied:
        params["W_out"] = INITIALIZERS[cfg.init](n_hidden, n_in, rng, dtype)
    return params


def _leaves(params):
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


def train_autoencoder(X, state, cfg, rng, n_epochs, *, horizon=None, verbose=0, name="AE"):
    """``n_epochs`` of minibatch training of one layer; records ``state.history``."""
    optimizer = make_optimizer(cfg.solver, momentum=cfg.momentum)
    leaves = _leaves(state.params)
    if state.opt_state is None:
        state.opt_state = optimizer.init(leaves)
    n = X.shape[0]
    B = min(cfg.batch_size, n)

    def epoch(_, lr):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, B):
            xb = X[order[start : start + B]]
            x_in = corrupt(xb, cfg.corruption, cfg.corruption_level, rng)
            grads, loss = autoencoder_gradients(state.params, x_in, xb, cfg,
                                                scale=optimizer.grad_scale(lr))
            total += loss * xb.shape[0]
            for p, s in zip(leaves, optimizer.update(grads, state.opt_state, lr)):
                p += s
        return {"loss": total / n}

    def count(record):
        state.epoch += 1

    run_epochs(epoch, leaves, n_epochs, learning_rate=cfg.learning_rate,
               schedule=cfg.learning_rate_schedule,
               horizon=n_epochs if horizon is None else horizon, start_epoch=state.epoch,
               history=state.history, name="Autoencoder" if name == "AE" else name,
               end_epoch=count, verbose=verbose, hint="Lower the learning rate.")
    return state


def greedy_autoencoders(X, sizes, make_config, rng, n_epochs, *, verbose=0):
    """Train one autoencoder per entry of ``sizes``, each on the clean codes below.

    ``make_config(layer)`` returns the layer's :class:`AEConfig` (the output
    unit type of a layer depends on what its input is).  Returns the list of
    :class:`AEState`, input side first.
    """
    states, data = [], X
    for layer, n_hidden in enumerate(sizes):
        cfg = make_config(layer)
        state = AEState(init_autoencoder(data.shape[1], n_hidden, cfg, rng, X.dtype))
        if verbose:
            print(f"[SAE] pretraining layer {layer + 1}/{len(sizes)}: {data.shape[1]} -> "
                  f"{n_hidden} ({cfg.corruption} corruption {cfg.corruption_level:g})")
        train_autoencoder(data, state, cfg, rng, n_epochs, verbose=verbose, name="SAE")
        states.append(state)
        if layer < len(sizes) - 1:
            data = encode(state.params, data, cfg.activation)  # once per layer
    return states
