"""Activations, their derivatives (in terms of the output) and losses.

Registries of plain functions, as in scikit-learn's ``neural_network._base``:
``ACTIVATIONS[name](Z)`` transforms ``Z`` in place and returns it;
``DERIVATIVES[name](A, delta)`` multiplies ``delta`` in place by the derivative
written in terms of the activation's *output* ``A`` (which is all backprop
keeps), and may overwrite ``A`` (no temporaries).  Those are numpy's in-place
forms; any other array of the array API standard gets the same function
written with the standard's operations (new arrays, nothing overwritten).  ``LOSSES[name](y, A)`` returns a mean loss; the output deltas of the
matching output activation are ``A - y`` for both pairs below.
"""

import numpy as np

from .._sklearn import array_namespace
from .units import is_numpy, xp_sigmoid

LEAKY_SLOPE = 0.01


def identity(Z):
    return Z


def relu(Z):
    if is_numpy(Z):
        return np.maximum(Z, 0, out=Z)
    xp = array_namespace(Z)
    return xp.maximum(Z, xp.zeros_like(Z))


def leaky_relu(Z):
    # max(z, 0.01 z) for any sign of z
    if is_numpy(Z):
        return np.maximum(Z, LEAKY_SLOPE * Z, out=Z)
    return array_namespace(Z).maximum(Z, LEAKY_SLOPE * Z)


def tanh(Z):
    if is_numpy(Z):
        return np.tanh(Z, out=Z)
    return array_namespace(Z).tanh(Z)


def softmax(Z):
    if not is_numpy(Z):
        xp = array_namespace(Z)
        E = xp.exp(Z - xp.max(Z, axis=1, keepdims=True))
        return E / xp.sum(E, axis=1, keepdims=True)
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


ACTIVATIONS = {
    "identity": identity,
    "sigmoid": xp_sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
}


def _d_identity(A, delta):
    return delta


def _d_sigmoid(A, delta):
    # s'(z) = s (1 - s) <= 1/4: the factor behind vanishing gradients
    if not is_numpy(A):
        return delta * A * (1.0 - A)
    delta *= A
    np.subtract(1.0, A, out=A)
    delta *= A
    return delta


def _d_tanh(A, delta):
    # tanh'(z) = 1 - tanh(z)^2
    if not is_numpy(A):
        return delta * (1.0 - A * A)
    np.square(A, out=A)
    np.subtract(1.0, A, out=A)
    delta *= A
    return delta


def _d_relu(A, delta):
    if not is_numpy(A):
        xp = array_namespace(A)
        return xp.where(A > 0, delta, xp.zeros_like(delta))
    np.greater(A, 0, out=A)
    delta *= A
    return delta


def _d_leaky_relu(A, delta):
    # 1 where a > 0, else the slope
    if not is_numpy(A):
        return array_namespace(A).where(A > 0, delta, LEAKY_SLOPE * delta)
    np.greater(A, 0, out=A)
    A *= 1.0 - LEAKY_SLOPE
    A += LEAKY_SLOPE
    delta *= A
    return delta


DERIVATIVES = {
    "identity": _d_identity,
    "sigmoid": _d_sigmoid,
    "tanh": _d_tanh,
    "relu": _d_relu,
    "leaky_relu": _d_leaky_relu,
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
#: other names of the activations: scikit-learn's MLP calls the sigmoid "logistic"
ACTIVATION_ALIASES = {"logistic": "sigmoid"}


def canonical_activation(name):
    """The registry's name of an activation (``"logistic"`` -> ``"sigmoid"``; None stays)."""
    return ACTIVATION_ALIASES.get(name, name)


def log_loss(Y, P):
    """Mean cross-entropy ``-sum_k y_k log p_k`` of one-hot ``Y`` and softmax ``P``."""
    eps = np.finfo(P.dtype).tiny
    return float(-np.sum(Y * np.log(np.maximum(P, eps)), dtype=np.float64) / P.shape[0])


def squared_error(Y, P):
    """Mean of ``||y - p||^2 / 2`` over samples."""
    d = Y - P
    return float(np.einsum("ij,ij->", d, d, dtype=np.float64) / (2 * P.shape[0]))


def binary_log_loss(Y, P):
    """Mean over samples of ``-sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]`` (sigmoid outputs,
    targets in [0, 1]: the reconstruction loss of autoencoders on images)."""
    eps = np.finfo(P.dtype).tiny
    total = np.sum(Y * np.log(np.maximum(P, eps)), dtype=np.float64)
    total += np.sum((1 - Y) * np.log(np.maximum(1 - P, eps)), dtype=np.float64)
    return float(-total / P.shape[0])


LOSSES = {"log_loss": log_loss, "squared_error": squared_error, "binary_log_loss": binary_log_loss}
OUTPUT_FOR_LOSS = {"log_loss": "softmax", "squared_error": "identity",
                   "binary_log_loss": "sigmoid"}


def saturation(A, activation, threshold=0.99):
    """Fraction of saturated units in one layer's outputs ``A``.

    sigmoid: output below ``1 - threshold`` or above ``threshold``; tanh:
    ``|a| > threshold`` (Glorot & Bengio 2010); relu / leaky_relu: the fraction
    of inactive (``a <= 0``) units; identity: 0.
    """
    if activation == "sigmoid":
        return float(np.mean((A < 1 - threshold) | (A > threshold)))
    if activation == "tanh":
        return float(np.mean(np.abs(A) > threshold))
    if activation in ("relu", "leaky_relu"):
        return float(np.mean(A <= 0))
    return 0.0
