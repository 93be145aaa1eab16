"""Boltzmann-machine math as small pure array functions.

Conventions
-----------
A weight matrix is stored ``(n_visible, n_hidden)`` so that code reads
``v @ W + c``.  ``b`` is the visible bias, ``c`` the hidden bias.  Visible units
are a type of the registry :mod:`deepbelief.math.units` (``visible=`` its name, or
the :class:`~deepbelief.math.units.Units` of a layer): ``"bernoulli"`` (values in
{0, 1}, or probabilities in [0, 1]), ``"gaussian"`` (unit variance, mean
``b + W h``) or ``"categorical"`` (softmax groups); hidden units are Bernoulli.

Energies (``visible="bernoulli"`` / ``"gaussian"``)::

    E(v, h) = -b.v - c.h - v.W.h
    E(v, h) = ||v - b||^2 / 2 - c.h - v.W.h

Every function is pure: it never touches global state, and randomness comes
from a :class:`numpy.random.Generator` passed in.  The conditionals and
energies are written against the array API standard: they take any array of
it (tested on ``array_api_strict``), and numpy arrays go through the numpy
kernels of :mod:`deepbelief.kernels.numpy_kernels`.  Functions that take ``out``
write their result there (in place), which the training loops use to avoid
allocating per minibatch.  Only numpy and scipy are imported here.
"""

import numpy as np
from scipy.special import logsumexp

from ..kernels.numpy_kernels import (  # noqa: F401  (the kernels are part of this module's interface)
    _ONE_BITS,
    GRID16,
    bernoulli_grid16,
    binarize_dynamic,
    log_sigmoid,
    sample_bernoulli,
    sample_gaussian,
    sigmoid,
    softplus,
    uniform,
    uniform_grid16,
)
from .units import (  # noqa: F401  (all_binary_states: part of this module's interface)
    all_binary_states,
    row_dot,
    row_sum,
    units_of,
    visible_units,
    xp_sigmoid,
    xp_softplus,
)

_LOG_2PI = np.log(2.0 * np.pi)


# --------------------------------------------------------------------------
# conditionals
# --------------------------------------------------------------------------
def hidden_input(v, W, c):
    """Total input to the hidden units, ``v @ W + c`` (works for CSR ``v``)."""
    a = v @ W
    a += c
    return a


def mean_hiddens(v, W, c, hidden="bernoulli"):
    """``E[h | v]``: ``P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij)`` for Bernoulli
    hidden units (the default), ``c + v W`` for Gaussian ones (:mod:`deepbelief.math.units`)."""
    a = hidden_input(v, W, c)
    if hidden == "bernoulli":
        return xp_sigmoid(a)
    return units_of(hidden, W.shape[1]).mean(a)


def mean_visibles(h, W, b, visible="bernoulli"):
    """``E[v | h]`` of the visible unit type (:mod:`deepbelief.math.units`): ``sigmoid(b + W h)``
    (Bernoulli), ``b + W h`` (Gaussian), a softmax per group (categorical)."""
    m = h @ W.T
    m += b
    return visible_units(visible, W.shape[0]).mean(m)


def sample_visibles(mean, rng, visible="bernoulli", out=None):
    """Sample visible states given their conditional means."""
    return visible_units(visible, mean.shape[1]).sample(mean, rng, out=out)


def gibbs_vhv(v, W, b, c, rng, visible="bernoulli"):
    """One Gibbs sweep ``v -> h ~ P(h|v) -> v' ~ P(v|h)``; returns ``(v', h)``."""
    h = sample_bernoulli(mean_hiddens(v, W, c), rng)
    return sample_visibles(mean_visibles(h, W, b, visible), rng, visible), h


def gibbs_chain(v, W, b, c, rng, visible="bernoulli", n_steps=1, mean=None):
    """``n_steps`` Gibbs sweeps from ``v``; returns the last ``(v, E[v | h])``
    (``mean``, or ``v``, after no sweep)."""
    mean = v if mean is None else mean
    for _ in range(int(n_steps)):
        h = sample_bernoulli(mean_hiddens(v, W, c), rng)
        mean = mean_visibles(h, W, b, visible)
        v = sample_visibles(mean.copy(), rng, visible)
    return v, mean


# --------------------------------------------------------------------------
# energies
# --------------------------------------------------------------------------
def energy(v, h, W, b, c, visible="bernoulli", hidden="bernoulli"):
    """Joint energy ``E(v, h)`` per row of ``v`` and ``h``: minus each layer's
    own term (``b.v`` for binary units, ``-||v - b||^2 / 2`` for Gaussian ones)
    minus ``v W h``."""
    return (-visible_units(visible, W.shape[0]).term(v, b)
            - units_of(hidden, W.shape[1]).term(h, c) - row_dot(v @ W, h))


def free_energy(v, W, b, c, visible="bernoulli", hidden="bernoulli"):
    """Free energy ``F(v) = -log sum_h exp(-E(v, h))`` per row.

    ``F(v) = -b.v - sum_j softplus(c_j + (v W)_j)`` (Bernoulli, categorical) and
    ``F(v) = ||v - b||^2 / 2 - sum_j softplus(c_j + (v W)_j)`` (Gaussian), with
    Bernoulli hidden units; other hidden types sum out by their marginal.
    """
    term = visible_units(visible, W.shape[0]).term(v, b)
    if hidden == "bernoulli":
        return -term - row_sum(xp_softplus(hidden_input(v, W, c)))
    return -term - units_of(hidden, W.shape[1]).marginal(v @ W, c)


def free_energy_hidden(h, W, b, c, visible="bernoulli", hidden="bernoulli"):
    """Free energy of the hidden layer, ``F(h) = -log sum_v exp(-E(v, h))``.

    Bernoulli: ``-c.h - sum_i softplus(b_i + (W h)_i)``.
    Gaussian (integral over ``v``): ``-c.h - ||b + W h||^2 / 2 + ||b||^2 / 2
    - n_visible * log(2 pi) / 2``.  Categorical: ``-c.h`` minus the sum over the
    groups of ``logsumexp(b_g + (W h)_g)``.
    """
    own = units_of(hidden, W.shape[1]).term(h, c)
    return -own - visible_units(visible, W.shape[0]).marginal(h @ W.T, b)


def reconstruction_error(v, W, b, c, visible="bernoulli", hidden="bernoulli", up=1.0, down=1.0):
    """Mean squared error per sample of the mean-field reconstruction.

    ``sum_i (v_i - E[v_i | h = E[h|v]])^2`` averaged over rows.  ``up`` and
    ``down`` scale the weights of the bottom-up and top-down conditionals (the
    modified RBMs a DBM is pretrained with).
    """
    h = mean_hiddens(v, W * up if up != 1 else W, c, hidden)
    r = mean_visibles(h, W * down if down != 1 else W, b, visible)
    r -= v if not hasattr(v, "toarray") else v.toarray()
    return float(np.einsum("ij,ij->", r, r) / r.shape[0])


def pseudo_log_likelihood(v, W, b, c, features=None):
    """Pseudo-log-likelihood ``sum_i log P(v_i | v_-i)`` per row (Bernoulli).

    ``log P(v_i | v_-i) = log sigmoid(F(v with bit i flipped) - F(v))``. Flipping
    bit ``i`` adds ``s W_i`` (``s = 1 - 2 v_i``) to the hidden input, so each
    feature costs one ``(n_samples, n_hidden)`` softplus; the loop runs over
    features, never over samples.

    Parameters
    ----------
    features : None or ndarray of int, shape (n_samples,)
        ``None`` sums over all features (exact PLL).  An array gives one feature
        per row and returns ``n_visible * log P(v_i | v_-i)``, the unbiased
        one-bit estimate that scikit-learn's ``BernoulliRBM`` uses.
    """
    v = v.toarray() if hasattr(v, "toarray") else np.asarray(v)
    a = hidden_input(v, W, c)
    sp = softplus(a).sum(axis=1)
    n, d = v.shape
    if features is not None:
        rows = np.arange(n)
        s = 1.0 - 2.0 * v[rows, features]
        a_flip = a + s[:, None] * W[features]
        gap = -s * b[features] - (softplus(a_flip).sum(axis=1) - sp)
        return d * log_sigmoid(gap)
    out = np.zeros(n, dtype=a.dtype)
    buf = np.empty_like(a)
    for i in range(d):
        s = 1.0 - 2.0 * v[:, i]
        np.multiply(s[:, None], W[i], out=buf)
        buf += a
        gap = -s * b[i] - (softplus(buf, out=buf).sum(axis=1) - sp)
        out += log_sigmoid(gap)
    return out


# --------------------------------------------------------------------------
# likelihood gradient
# --------------------------------------------------------------------------
def sufficient_statistics(v, ph):
    """``(v^T ph / n, mean(v), mean(ph))``: the expectations in the gradient."""
    n = v.shape[0]
    return np.asarray(v.T @ ph) / n, np.asarray(v.mean(axis=0)).ravel(), ph.mean(axis=0)


def cd_gradient(v_data, v_model, W, c):
    """Log-likelihood gradient estimate from data and model (negative) samples.

    ``dlog p / dW = <v h>_data - <v h>_model`` with ``h`` replaced by its
    conditional mean ``P(h|v)`` (Rao-Blackwellised); likewise for the biases.
    Returns ``(dW, db, dc)``.  With ``v_model`` drawn from a CD-k chain this is
    the CD-k gradient; with exact model samples it is the exact gradient.
    """
    pos = sufficient_statistics(v_data, mean_hiddens(v_data, W, c))
    neg = sufficient_statistics(v_model, mean_hiddens(v_model, W, c))
    return tuple(p - q for p, q in zip(pos, neg))


# --------------------------------------------------------------------------
# enumeration helpers (tiny models only)
# --------------------------------------------------------------------------


def logmeanexp(x, axis=None):
    """``log(mean(exp(x)))`` without overflow."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size if axis is None else x.shape[axis]
    return logsumexp(x, axis=axis) - np.log(n)
