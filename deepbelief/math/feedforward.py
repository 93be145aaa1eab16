"""The deterministic feed-forward stack: forward pass and backprop.

A network is a dict of lists of arrays, input side first::

    params = {"W": [W_1, ..., W_L], "b": [b_1, ..., b_L],
              "gamma": [...], "beta": [...]}   # batch-norm scale/shift, hidden layers

Hidden layer ``l`` maps its input ``x`` to ``y = act(BN(x W_l + b_l))``, plus
``x`` itself when ``residual`` is on and the widths match (a skip connection);
dropout then masks ``y`` (inverted dropout, so evaluation needs no rescaling).
The output layer is affine, followed by softmax (cross-entropy loss), the
identity (squared error) or the sigmoid (binary cross-entropy); for each pair
the output delta is ``P - Y``.  Hidden layers may each have their own
activation (``NetSpec.activations``), e.g. the linear code of an autoencoder.
:func:`backward` returns the gradients in the same structure as ``params``,
one array per parameter, so diagnostics can read per-layer norms.

:func:`forward` and :func:`backward` take numpy arrays (the in-place fast
path) or any array of the array API standard (``tests/test_array_api.py``
runs them on ``array_api_strict``); dropout masks are drawn by numpy's
generator and moved into the arrays' namespace.
"""

from dataclasses import dataclass

import numpy as np

from .._sklearn import array_namespace
from .activations import ACTIVATIONS, DERIVATIVES
from .initializers import INITIALIZERS
from .units import is_numpy

BN_EPS = 1e-5


@dataclass(frozen=True)
class NetSpec:
    """Architecture options shared by forward and backward."""

    activation: str = "sigmoid"
    output: str = "softmax"  # or "identity", "sigmoid"
    batch_norm: bool = False
    residual: bool = False
    dropout_input: float = 0.0
    dropout_hidden: float = 0.0
    # per-hidden-layer activations overriding ``activation`` (e.g. the linear code
    # layer of a deep autoencoder); empty: ``activation`` everywhere
    activations: tuple = ()

    def act(self, layer):
        """Activation of hidden layer ``layer`` (0-based)."""
        return self.activations[layer] if self.activations else self.activation

    def skip(self, W):
        """Whether hidden layer with weights ``W`` gets a skip connection."""
        return self.residual and W.shape[0] == W.shape[1]


def init_params(layer_sizes, init, rng, dtype=np.float64, batch_norm=False):
    """Random parameters for ``layer_sizes = (n_in, h_1, ..., h_k, n_out)``."""
    make = INITIALIZERS[init]
    W = [make(i, o, rng, dtype) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
    b = [np.zeros(o, dtype=dtype) for o in layer_sizes[1:]]
    params = {"W": W, "b": b, "gamma": [], "beta": []}
    if batch_norm:
        params["gamma"] = [np.ones(o, dtype=dtype) for o in layer_sizes[1:-1]]
        params["beta"] = [np.zeros(o, dtype=dtype) for o in layer_sizes[1:-1]]
    return params


def init_bn_stats(params):
    """Running means and variances of batch-norm inputs (for evaluation)."""
    return {"mean": [np.zeros_like(g) for g in params["gamma"]],
            "var": [np.ones_like(g) for g in params["gamma"]]}


def flat(tree):
    """The parameter (or gradient) arrays as one list, in a fixed order."""
    return tree["W"] + tree["b"] + tree["gamma"] + tree["beta"]


def penalty(params, n, alpha=0.0, l1=0.0):
    """``(alpha/2 ||W||^2 + l1 ||W||_1) / n`` over all weight matrices."""
    total = 0.0
    for W in params["W"]:
        if alpha:
            total += 0.5 * alpha * float(np.einsum("ij,ij->", W, W, dtype=np.float64))
        if l1:
            total += l1 * float(np.abs(W).sum(dtype=np.float64))
    return total / n


def namespace(*arrays):
    """numpy for numpy arrays (the in-place path), else the arrays' array API namespace."""
    return np if all(is_numpy(a) for a in arrays) else array_namespace(*arrays)


def _dropout_mask(xp, x, rate, rng):
    dtype = np.float32 if x.dtype == xp.float32 else np.float64
    mask = rng.random(tuple(x.shape), dtype=dtype)
    keep = 1.0 - rate
    mask = np.less(mask, keep, out=mask) / np.asarray(keep, dtype=dtype)
    return mask if xp is np else xp.asarray(mask)


def column_dot(a, b):
    """``sum_i a_ij b_ij`` per column."""
    if is_numpy(a):
        return np.einsum("ij,ij->j", a, b)
    return array_namespace(a, b).sum(a * b, axis=0)


def forward(params, X, spec, *, train=False, rng=None, bn_stats=None, bn_momentum=0.1,
            hidden_only=False):
    """Outputs of the network and, in training mode, the cache for :func:`backward`.

    ``hidden_only``: the top hidden layer's outputs instead (the net's features).

    In training mode, batch norm uses the batch's statistics and updates
    ``bn_stats`` (exponential average with ``bn_momentum``), and dropout draws
    masks from ``rng``.  In evaluation mode, batch norm uses ``bn_stats``.
    """
    W, b = params["W"], params["b"]
    xp = namespace(X, W[0])
    x = X
    cache = {"inputs": [], "outputs": [], "masks": [], "bn": []}
    if train and spec.dropout_input > 0:
        m = _dropout_mask(xp, X, spec.dropout_input, rng)
        x = X * m
    for layer in range(len(W) - 1):
        z = x @ W[layer]
        z += b[layer]
        if spec.batch_norm:
            gamma, beta = params["gamma"][layer], params["beta"][layer]
            if train:
                mu = xp.mean(z, axis=0)
                var = xp.var(z, axis=0)
                if bn_stats is not None:
                    bn_stats["mean"][layer] *= 1 - bn_momentum
                    bn_stats["mean"][layer] += bn_momentum * mu
                    bn_stats["var"][layer] *= 1 - bn_momentum
                    bn_stats["var"][layer] += bn_momentum * var
            else:
                mu, var = bn_stats["mean"][layer], bn_stats["var"][layer]
            inv_std = xp.astype(1.0 / xp.sqrt(var + BN_EPS), z.dtype)
            z -= mu
            z *= inv_std
            if train:
                cache["bn"].append((xp.asarray(z, copy=True), inv_std))
            z *= gamma
            z += beta
        a = ACTIVATIONS[spec.act(layer)](z)
        if train:
            cache["inputs"].append(x)
            cache["outputs"].append(a)
        y = a + x if spec.skip(W[layer]) else a
        if train and spec.dropout_hidden > 0:
            m = _dropout_mask(xp, y, spec.dropout_hidden, rng)
            cache["masks"].append(m)
            y = y * m
        x = y
    if hidden_only:
        return x, cache
    z = x @ W[-1]
    z += b[-1]
    out = ACTIVATIONS[spec.output](z)
    if train:
        cache["inputs"].append(x)
    return out, cache


def backward(params, cache, P, Y, spec, *, alpha=0.0, l1=0.0, scale=1.0, output_only=False):
    """Gradients of ``mean loss + (alpha/2 ||W||^2 + l1 ||W||_1) / n`` (weights only).

    The penalties are scaled by the batch size ``n`` as in scikit-learn's
    ``MLPClassifier``, so ``alpha`` means the same there and here.

    ``P`` are the outputs of :func:`forward` (``train=True``) and ``Y`` the
    targets (one-hot for softmax).  Every gradient is multiplied by ``scale``
    (folded into the output delta; optimizers use it for the step size).  The
    cached layer outputs are overwritten.  Returns a dict shaped like ``params``.
    With ``output_only`` the gradients of every layer below the output are zero
    (not computed): those layers are frozen.
    """
    W = params["W"]
    xp = namespace(P, W[0])
    n = P.shape[0]
    L = len(W)
    gW, gb = [None] * L, [None] * L
    g_gamma, g_beta = [None] * (L - 1), [None] * (L - 1)
    # output layer: delta = dLoss/dz = (P - Y) / n for both loss/output pairs
    delta = P - Y
    delta *= scale / n
    gW[-1] = cache["inputs"][-1].T @ delta
    gb[-1] = xp.sum(delta, axis=0)
    if output_only:
        gW[:-1] = [xp.zeros_like(w) for w in W[:-1]]
        gb[:-1] = [xp.zeros_like(b) for b in params["b"][:-1]]
        g_gamma = [xp.zeros_like(g) for g in params["gamma"]]
        g_beta = [xp.zeros_like(b) for b in params["beta"]]
    dx = None if output_only else delta @ W[-1].T  # gradient w.r.t. the output layer's input
    for h in [] if output_only else range(L - 2, -1, -1):
        dy = dx * cache["masks"][h] if spec.dropout_hidden > 0 else dx
        skip = spec.skip(W[h])
        deriv = DERIVATIVES[spec.act(h)]
        delta = deriv(cache["outputs"][h], xp.asarray(dy, copy=True) if skip else dy)
        if spec.batch_norm:
            z_hat, inv_std = cache["bn"][h]
            gamma = params["gamma"][h]
            g_beta[h] = xp.sum(delta, axis=0)
            g_gamma[h] = column_dot(delta, z_hat)
            # dL/dz = gamma * inv_std * (d - mean(d) - z_hat * mean(d * z_hat))
            m = delta.shape[0]
            delta = (gamma * inv_std) * (delta - g_beta[h] / m - z_hat * (g_gamma[h] / m))
        gW[h] = cache["inputs"][h].T @ delta
        gb[h] = xp.sum(delta, axis=0)
        if h > 0:
            dx = delta @ W[h].T
            if skip:
                dx += dy  # y = act(...) + x passes dy straight to x
    for layer in range(L - 1 if output_only else 0, L):
        if alpha:
            gW[layer] += (scale * alpha / n) * W[layer]
        if l1:
            gW[layer] += (scale * l1 / n) * xp.sign(W[layer])
    grads = {"W": gW, "b": gb, "gamma": g_gamma if spec.batch_norm else [],
             "beta": g_beta if spec.batch_norm else []}
    return grads
