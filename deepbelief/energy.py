"""Boltzmann-machine math as small pure array functions.

Conventions
-----------
A weight matrix is stored ``(n_visible, n_hidden)`` so that code reads
``v @ W + c``.  ``b`` is the visible bias, ``c`` the hidden bias.  Visible units
are ``"bernoulli"`` (values in {0, 1}, or probabilities in [0, 1]) or
``"gaussian"`` (unit variance, mean ``b + W h``); hidden units are Bernoulli.

Energies (``visible="bernoulli"`` / ``"gaussian"``)::

    E(v, h) = -b.v - c.h - v.W.h
    E(v, h) = ||v - b||^2 / 2 - c.h - v.W.h

Every function is pure: it never touches global state, and randomness comes
from a :class:`numpy.random.Generator` passed in.  Functions that take ``out``
write their result there (in place), which the training loops use to avoid
allocating per minibatch.  Only numpy and scipy are imported here.
"""

import numpy as np
from scipy.special import logsumexp

VISIBLE_UNITS = ("bernoulli", "gaussian")
_LOG_2PI = np.log(2.0 * np.pi)


# --------------------------------------------------------------------------
# elementwise helpers
# --------------------------------------------------------------------------
def sigmoid(x, out=None):
    """Logistic function ``1 / (1 + exp(-x))``, stable for any ``x``.

    The exp form (negate, exp, add one, reciprocal) runs in place when ``out``
    is ``x``; ``exp(-x)`` overflowing to ``inf`` for very negative ``x`` gives
    the correct limit ``1 / inf = 0``.
    """
    out = np.negative(x, out=out)
    with np.errstate(over="ignore", under="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def softplus(x, out=None):
    """``log(1 + exp(x))`` computed as ``logaddexp(0, x)`` (no overflow)."""
    return np.logaddexp(0.0, x, out=out)


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``, stable for any ``x``."""
    return -np.logaddexp(0.0, -x)


# --------------------------------------------------------------------------
# conditionals
# --------------------------------------------------------------------------
def hidden_input(v, W, c):
    """Total input to the hidden units, ``v @ W + c`` (works for CSR ``v``)."""
    a = v @ W
    a += c
    return a


def mean_hiddens(v, W, c):
    """``P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij)``."""
    a = hidden_input(v, W, c)
    return sigmoid(a, out=a)


def mean_visibles(h, W, b, visible="bernoulli"):
    """``E[v | h]``: ``sigmoid(b + W h)`` (Bernoulli) or ``b + W h`` (Gaussian)."""
    m = h @ W.T
    m += b
    if visible == "bernoulli":
        sigmoid(m, out=m)
    return m


_ONE_BITS = np.uint32(0x3F800000)  # float32 1.0


def uniform(rng, out):
    """Fill ``out`` with uniforms on [0, 1) drawn from ``rng``; returns ``out``.

    For float32 and a :class:`numpy.random.Generator` this takes the raw 64-bit
    output of the bit generator, splits it into 32-bit words and keeps 23 bits
    of each as the mantissa of a float in [1, 2) (``(u >> 9) | 0x3F800000``)
    before subtracting 1: uniforms on the grid ``k / 2**23``, 1.6x faster than
    ``Generator.random(dtype=float32)``, which dominated the non-BLAS time of a
    CD epoch.  Any other generator (or float64) uses ``rng.random``.
    """
    bitgen = getattr(rng, "bit_generator", None)
    if out.dtype != np.float32 or bitgen is None or not out.flags.c_contiguous:
        return rng.random(out=out, dtype=out.dtype)
    n = out.size
    bits = bitgen.random_raw((n + 1) // 2).view(np.uint32)[:n].reshape(out.shape)
    bits >>= 9
    bits |= _ONE_BITS
    return np.subtract(bits.view(np.float32), np.float32(1.0), out=out)


GRID16 = 65536.0  # 2**16: the scale of the probabilities bernoulli_grid16 compares with


def uniform_grid16(rng, shape):
    """Uniform integers on ``[0, 2**16)`` as a ``uint16`` array of ``shape``.

    From a :class:`numpy.random.Generator` these are the raw 64-bit words of its
    bit generator split four ways (no conversion pass), half the generator work
    of :func:`uniform`'s 32-bit words.  Any other generator (a test's stand-in)
    goes through ``rng.random``: ``floor(2**16 * u)``.
    """
    n = int(np.prod(shape))
    bitgen = getattr(rng, "bit_generator", None)
    if bitgen is None:
        u = np.asarray(rng.random(size=shape), dtype=np.float64)
        return np.floor(u * GRID16).astype(np.uint16)
    return bitgen.random_raw((n + 3) // 4).view(np.uint16)[:n].reshape(shape)


def bernoulli_grid16(scaled_p, rng, out):
    """Draw ``x ~ Bernoulli(p)`` given ``scaled_p = 2**16 * p``; returns ``out``.

    ``x = [u < 2**16 p]`` for ``u`` uniform on the integers ``0 .. 2**16 - 1``,
    so ``P(x = 1) = ceil(2**16 p) / 2**16``: ``p`` rounded up to the grid
    ``k / 2**16`` (an error below 1.6e-5).  The training loops use it where the
    probabilities come out of a sigmoid whose last pass can produce ``2**16 p``
    at no cost (and ``p`` itself is no longer needed, or is rescaled anyway):
    no float uniforms are built, and the generator makes 16 bits per draw
    instead of 32.  ``out`` may be ``scaled_p`` itself.
    """
    u = uniform_grid16(rng, scaled_p.shape)
    return np.less(u, scaled_p, out=out)


def binarize_dynamic(V, rng):
    """Replace the probabilities ``V`` (in [0, 1]) by a Bernoulli draw, in place.

    *Dynamic binarization*: training loops given grey values with
    ``dynamic_binarization=True`` present each minibatch as a fresh binary
    draw, ``x ~ Bernoulli(V)`` (the recipe of Salakhutdinov & Hinton's DBM
    code), so that the model fits the distribution of binarized images rather
    than one fixed binarization of them.  Drawn on the 2**16 grid of
    :func:`bernoulli_grid16` (exact for ``V`` in {0, 1}).  Returns ``V``.
    """
    np.multiply(V, GRID16, out=V)
    return bernoulli_grid16(V, rng, out=V)


def sample_bernoulli(p, rng, out=None):
    """Draw ``x ~ Bernoulli(p)`` elementwise, in ``p``'s float dtype.

    Uniforms (:func:`uniform`) are drawn in place into ``out`` and compared
    with ``p``; ``out`` may be ``p`` itself.
    """
    if out is None:
        out = np.empty_like(p)
    if out is p:
        u = uniform(rng, np.empty_like(p))
        return np.less(u, p, out=out)
    uniform(rng, out)
    return np.less(out, p, out=out)


def sample_gaussian(mean, rng, out=None):
    """Draw ``x ~ N(mean, 1)`` elementwise, in ``mean``'s float dtype."""
    if out is None:
        out = np.empty_like(mean)
    if out is mean:
        out += rng.standard_normal(mean.shape, dtype=mean.dtype)
        return out
    rng.standard_normal(out=out, dtype=out.dtype)
    out += mean
    return out


def sample_visibles(mean, rng, visible="bernoulli", out=None):
    """Sample visible states given their conditional means."""
    if visible == "bernoulli":
        return sample_bernoulli(mean, rng, out=out)
    return sample_gaussian(mean, rng, out=out)


def gibbs_vhv(v, W, b, c, rng, visible="bernoulli"):
    """One Gibbs sweep ``v -> h ~ P(h|v) -> v' ~ P(v|h)``; returns ``(v', h)``."""
    h = sample_bernoulli(mean_hiddens(v, W, c), rng)
    return sample_visibles(mean_visibles(h, W, b, visible), rng, visible), h


# --------------------------------------------------------------------------
# energies
# --------------------------------------------------------------------------
def _visible_term(v, b, visible):
    """The part of ``-E`` that depends on ``v`` alone: ``b.v`` or ``-||v-b||^2/2``."""
    if visible == "bernoulli":
        return np.asarray(v @ b).ravel()
    d = v - b
    return -0.5 * np.einsum("ij,ij->i", d, d)


def energy(v, h, W, b, c, visible="bernoulli"):
    """Joint energy ``E(v, h)`` per row of ``v`` and ``h``."""
    vwh = np.einsum("ij,ij->i", np.asarray(v @ W), h)
    return -_visible_term(v, b, visible) - h @ c - vwh


def free_energy(v, W, b, c, visible="bernoulli"):
    """Free energy ``F(v) = -log sum_h exp(-E(v, h))`` per row.

    ``F(v) = -b.v - sum_j softplus(c_j + (v W)_j)`` (Bernoulli) and
    ``F(v) = ||v - b||^2 / 2 - sum_j softplus(c_j + (v W)_j)`` (Gaussian).
    """
    return -_visible_term(v, b, visible) - softplus(hidden_input(v, W, c)).sum(axis=1)


def free_energy_hidden(h, W, b, c, visible="bernoulli"):
    """Free energy of the hidden layer, ``F(h) = -log sum_v exp(-E(v, h))``.

    Bernoulli: ``-c.h - sum_i softplus(b_i + (W h)_i)``.
    Gaussian (integral over ``v``): ``-c.h - ||b + W h||^2 / 2 + ||b||^2 / 2
    - n_visible * log(2 pi) / 2``.
    """
    m = h @ W.T
    m += b
    if visible == "bernoulli":
        return -(h @ c) - softplus(m).sum(axis=1)
    n_visible = W.shape[0]
    return (
        -(h @ c)
        - 0.5 * np.einsum("ij,ij->i", m, m)
        + 0.5 * float(b @ b)
        - 0.5 * n_visible * _LOG_2PI
    )


def reconstruction_error(v, W, b, c, visible="bernoulli"):
    """Mean squared error per sample of the mean-field reconstruction.

    ``sum_i (v_i - E[v_i | h = P(h|v)])^2`` averaged over rows.
    """
    r = mean_visibles(mean_hiddens(v, W, c), W, b, visible)
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
def all_binary_states(n, dtype=np.float64):
    """All ``2**n`` binary vectors of length ``n`` as rows (little-endian)."""
    idx = np.arange(2**n, dtype=np.int64)[:, None]
    return ((idx >> np.arange(n)) & 1).astype(dtype)


def logmeanexp(x, axis=None):
    """``log(mean(exp(x)))`` without overflow."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size if axis is None else x.shape[axis]
    return logsumexp(x, axis=axis) - np.log(n)
