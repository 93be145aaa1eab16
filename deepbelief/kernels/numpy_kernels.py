"""The numpy kernels under the math: elementwise functions and samplers.

The ground floor of the engine, and the one place of numpy-specific speed
tricks that the rest builds on: uniforms from the bit generator's raw 64-bit
words (:func:`uniform`), Bernoulli draws on a 16-bit grid straight out of a
sigmoid scaled by ``2**16`` (:func:`bernoulli_grid16`), in-place ``out=``
forms.  The Boltzmann math (:mod:`deepbelief.math.energy`, :mod:`deepbelief.math.units`)
and the training loops call these; a backend for other arrays (torch, CuPy)
would give its own versions of them.  Randomness always comes from a
:class:`numpy.random.Generator` passed in.
"""

import numpy as np


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


# --------------------------------------------------------------------------
# sigmoids in place, in the forms the training loops and AIS use
# --------------------------------------------------------------------------
# Mean-field means below sigmoid(-40) ~ 4e-18 are raised to it, so that neither
# they nor products of two of them reach the float32 denormal range (below
# 1.2e-38), where a BLAS product with such operands ran 2-7x slower in a
# micro-benchmark (100 x 1000 @ 1000 x 500).  The change to the bound is negligible.
INPUT_FLOOR = -40.0
# Inputs above 80 give exactly 1 in float32 and float64 alike, so clipping there
# changes nothing, and a two-sided np.clip runs about twice as fast as
# np.maximum with a scalar on float32 (numpy 2.4).
INPUT_CEIL = 80.0


def mean_sigmoid(a):
    """In place ``sigmoid(max(a, -40))``: a mean that never goes denormal."""
    np.clip(a, INPUT_FLOOR, INPUT_CEIL, out=a)
    return sigmoid(a, out=a)


def sigmoid_of_negated(A, scale=1.0):
    """In place: ``A <- scale * sigmoid(-A)``, with ``-A`` floored as in :func:`mean_sigmoid`.

    The clip's other end (-A <= 80) changes no result (``sigmoid(80)`` is 1 in
    float32 and float64 alike); a two-sided ``np.clip`` runs about twice as
    fast as ``np.minimum`` with a scalar on float32.
    """
    np.clip(A, -INPUT_CEIL, -INPUT_FLOOR, out=A)
    np.exp(A, out=A)
    A += 1.0
    return np.divide(scale, A, out=A)


def affine_sigmoid(A, neg_bias, scale=1.0, input_scale=1.0):
    """In place: ``A <- scale * sigmoid(input_scale * A + bias)``, four passes (five
    when ``input_scale`` is not 1).  ``exp`` may overflow to inf (giving 0): the
    caller runs under ``np.errstate(over="ignore")`` once per epoch, not per call."""
    if input_scale != 1.0:
        A *= input_scale
    np.subtract(neg_bias, A, out=A)  # -(A + bias)
    np.exp(A, out=A)
    A += 1.0
    return np.divide(scale, A, out=A)


def sample_sigmoid_of_negated(neg_x, out, rng):
    """``out <- 1[u < sigmoid(x)]`` for fresh uniforms ``u``, given ``neg_x = -x``.

    Uses ``u < 1 / (1 + e)  <=>  u (1 + e) < 1`` with ``e = exp(-x)``, which
    needs no division; ``neg_x`` is overwritten.
    """
    with np.errstate(over="ignore"):
        np.exp(neg_x, out=neg_x)
    neg_x += 1.0
    uniform(rng, out)
    out *= neg_x
    return np.less(out, 1.0, out=out)
