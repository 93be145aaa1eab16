"""Visible unit types of a Boltzmann machine, as entries of one registry.

A unit type is what the math needs of a layer, given its total input ``a``
(``a = b + W h`` for the visible layer): its conditional mean ``E[v | a]``, a
sampler of ``v`` given that mean, the part of ``-E(v, h)`` that depends on
``v`` alone, the log normaliser that marginalising ``v`` out leaves (in the
free energy of the hidden layer), the bias of an independent base model with
given marginals (for AIS), and, for discrete types, the list of all states
(for exact ``log Z``).  Energies::

    bernoulli, categorical:  E(v, h) = -b.v - c.h - v.W.h
    gaussian:                E(v, h) = ||v - b||^2 / 2 - c.h - v.W.h

=================  ==========================  ==================================
type               ``E[v | a]``                states
=================  ==========================  ==================================
``"bernoulli"``    ``sigmoid(a)``              ``{0, 1}^n``
``"gaussian"``     ``a`` (unit variance)       ``R^n``
``"categorical"``  softmax within each group   one unit on in each group (one-hot)
=================  ==========================  ==================================

``"categorical"`` is the softmax unit for one-hot data (``OneHotEncoder``
output, a word out of a vocabulary, a pixel's colour class): the visible
units form groups of given sizes, and exactly one unit of each group is on.
:func:`visible_units` builds the entry for a layer:

>>> import numpy as np
>>> units = visible_units("categorical", 5, groups=(2, 3))
>>> units.mean(np.array([[0.0, 0.0, 1.0, 1.0, 1.0]])).round(3).tolist()
[[0.5, 0.5, 0.333, 0.333, 0.333]]
>>> units.n_states
6
"""

import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._sklearn import array_namespace
from ..kernels.numpy_kernels import (
    sample_bernoulli,
    sample_gaussian,
    sigmoid,
    softplus,
    uniform,
)

_LOG_2PI = float(np.log(2.0 * np.pi))


# --------------------------------------------------------------------------
# the reference math on any array of the array API standard; numpy arrays (and
# scipy sparse rows) take the in-place numpy kernels of deepbelief.kernels.numpy_kernels
# --------------------------------------------------------------------------
def is_numpy(a):
    """Whether ``a`` is a numpy array or a scipy sparse matrix (the in-place
    kernels' arrays); anything else goes through the array API standard."""
    return isinstance(a, np.ndarray) or hasattr(a, "toarray")


def xp_sigmoid(a):
    """``sigmoid(a)``, stable for any ``a``; in place for a numpy array."""
    if is_numpy(a):
        return sigmoid(a, out=a)
    xp = array_namespace(a)
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))


def xp_softplus(a):
    """``log(1 + exp(a))``, stable for any ``a``."""
    if is_numpy(a):
        return softplus(a)
    xp = array_namespace(a)
    return (a + xp.abs(a)) / 2 + xp.log1p(xp.exp(-xp.abs(a)))


def row_sum(a):
    """The sum of each row."""
    return a.sum(axis=1) if is_numpy(a) else array_namespace(a).sum(a, axis=1)


def row_dot(a, b):
    """``sum_j a_ij b_ij`` per row."""
    if is_numpy(a):
        return np.einsum("ij,ij->i", a, b)
    return array_namespace(a, b).sum(a * b, axis=1)


def _vector_term(v, b):
    """The product ``v @ b`` per row (dense, CSR or any array API array)."""
    out = v @ b
    return np.asarray(out).ravel() if hasattr(v, "toarray") else out


class Units(NamedTuple):
    """The math of one visible layer of ``n`` units (see the module docstring)."""

    name: str
    n: int
    #: ``mean(a)``: ``E[v | a]`` for total inputs ``a`` of shape ``(rows, n)``
    #: (may overwrite ``a``)
    mean: Callable
    #: ``sample(mean, rng, out=None)``: ``v ~ p(v | a)`` given ``mean(a)``
    sample: Callable
    #: ``term(v, b)``: the part of ``-E(v, h)`` that depends on ``v`` alone, per row
    term: Callable
    #: ``marginal(a, b)``: ``log sum_v exp(term(v, b) + v . a)`` per row (``a = W h``)
    marginal: Callable
    #: ``base_bias(mean)``: the bias of independent units with the data's marginals
    base_bias: Callable
    #: ``states()``: every state, ``(n_states, n)`` (None for continuous units)
    states: Callable
    #: how many states (inf for continuous units)
    n_states: float  # an int for discrete units
    #: the data the units take, in words (for error messages)
    data: str


# --------------------------------------------------------------------------
# bernoulli and gaussian
# --------------------------------------------------------------------------
def _bernoulli_base(mean, eps=1e-3):
    m = np.clip(np.asarray(mean, dtype=np.float64), eps, 1.0 - eps)
    return np.log(m) - np.log1p(-m)


def all_binary_states(n, dtype=np.float64, start=0, stop=None):
    """Binary vectors number ``start`` to ``stop - 1`` (default: all ``2**n``) of
    length ``n``, as rows (little-endian): the one enumeration of every exact sum."""
    idx = np.arange(start, 2**n if stop is None else stop, dtype=np.int64)[:, None]
    return ((idx >> np.arange(n)) & 1).astype(dtype)


def bernoulli(n, groups=None):
    """Binary units, ``p(v_i = 1 | a) = sigmoid(a_i)``."""

    def states():
        return all_binary_states(n)

    return Units(
        "bernoulli", n,
        mean=xp_sigmoid,
        sample=lambda m, rng, out=None: sample_bernoulli(m, rng, out=out),
        term=_vector_term,
        marginal=lambda a, b: row_sum(xp_softplus(a + b)),
        base_bias=_bernoulli_base,
        states=states, n_states=2**n, data="values in [0, 1]",
    )


def gaussian(n, groups=None):
    """Linear units with unit-variance Gaussian noise, ``v | a ~ N(a, I)``."""

    def term(v, b):
        d = v - b
        return -0.5 * row_dot(d, d)

    def marginal(a, b):
        m = a + b
        return 0.5 * (row_dot(m, m) - float(b @ b) + n * _LOG_2PI)

    return Units(
        "gaussian", n,
        mean=lambda a: a,
        sample=lambda m, rng, out=None: sample_gaussian(m, rng, out=out),
        term=term, marginal=marginal,
        base_bias=lambda mean: np.asarray(mean, dtype=np.float64),
        states=None, n_states=np.inf, data="standardized real values",
    )


# --------------------------------------------------------------------------
# categorical (softmax) groups
# --------------------------------------------------------------------------
def check_groups(n, groups):
    """Group sizes as an int array summing to ``n``; ``groups`` an int (every group
    that size) or a sequence of sizes."""
    if groups is None:
        raise ValueError("categorical units need the sizes of their groups (n_categories).")
    if np.ndim(groups) == 0:
        k = int(groups)
        if k < 2 or n % k:
            raise ValueError(f"n_categories={k} must be >= 2 and divide the {n} features.")
        return np.full(n // k, k, dtype=np.intp)
    sizes = np.asarray(groups, dtype=np.intp)
    if sizes.ndim != 1 or sizes.size == 0 or np.any(sizes < 2) or int(sizes.sum()) != n:
        raise ValueError(f"n_categories must be group sizes >= 2 summing to the {n} "
                         f"features; got {list(np.atleast_1d(groups))}.")
    return sizes


def group_softmax(a, sizes):
    """Softmax of ``a`` within each group of consecutive columns (``sizes``)."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    a = np.asarray(a)
    out = a - np.repeat(np.maximum.reduceat(a, starts, axis=1), sizes, axis=1)
    np.exp(out, out=out)
    out /= np.repeat(np.add.reduceat(out, starts, axis=1), sizes, axis=1)
    return out


def group_logsumexp(a, sizes):
    """``log sum exp`` of ``a`` within each group, summed over the groups, per row."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    a = np.asarray(a)
    top = np.maximum.reduceat(a, starts, axis=1)
    s = np.add.reduceat(np.exp(a - np.repeat(top, sizes, axis=1)), starts, axis=1)
    return (top + np.log(s)).sum(axis=1)


def sample_groups(p, sizes, rng, out=None):
    """One-hot draws, one unit on per group, with probabilities ``p`` (rows sum to
    1 within each group): the unit whose cumulative interval holds a uniform."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ends = np.cumsum(sizes) - 1
    u = uniform(rng, np.empty((p.shape[0], sizes.size), dtype=p.dtype))
    u = np.repeat(u, sizes, axis=1)
    cum = np.cumsum(p, axis=1)
    cum -= np.repeat(cum[:, starts] - p[:, starts], sizes, axis=1)  # within each group
    before = cum - p
    cum[:, ends] = np.inf  # rounding never leaves a group empty
    on = (before <= u) & (u < cum)
    out = np.empty_like(p) if out is None else out
    out[...] = on
    return out


def categorical(n, groups=None):
    """Softmax groups: exactly one unit on per group, ``p(v_g = e_k | a) = softmax(a_g)_k``."""
    sizes = check_groups(n, groups)

    def states():
        picks = itertools.product(*(range(k) for k in sizes))
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        idx = np.array(list(picks), dtype=np.intp) + offsets
        S = np.zeros((idx.shape[0], n))
        S[np.arange(idx.shape[0])[:, None], idx] = 1.0
        return S

    def base_bias(mean, eps=1e-3):
        return np.log(np.clip(np.asarray(mean, dtype=np.float64), eps, None))

    return Units(
        "categorical", n,
        mean=lambda a: group_softmax(a, sizes),
        sample=lambda m, rng, out=None: sample_groups(m, sizes, rng, out=out),
        term=_vector_term,
        marginal=lambda a, b: group_logsumexp(a + b, sizes),
        base_bias=base_bias,
        states=states, n_states=int(np.prod(sizes.astype(object))),
        data="one-hot groups (each group's values in [0, 1], summing to 1)",
    )


class UnitType(NamedTuple):
    """A registry entry: how to build a layer's :class:`Units`, and what the type allows."""

    #: ``build(n, groups=None)``: the :class:`Units` of a layer of ``n`` units
    build: Callable
    #: data in [0, 1]: the estimators' range rule applies and CSR input is accepted
    bounded: bool
    #: independent {0, 1} units: pseudo-likelihood and dynamic binarization apply
    binary: bool
    #: a DBM layer or the input of the DBN/DBM nets (categorical groups: RBM and DBN)
    stackable: bool


#: the registry: unit type name -> :class:`UnitType`
VISIBLE_UNITS = {
    "bernoulli": UnitType(bernoulli, bounded=True, binary=True, stackable=True),
    "gaussian": UnitType(gaussian, bounded=False, binary=False, stackable=True),
    "categorical": UnitType(categorical, bounded=True, binary=False, stackable=False),
}

#: the unit types of DBM layers and of the DBN and DBM nets' inputs
STACKABLE_UNITS = tuple(name for name, t in VISIBLE_UNITS.items() if t.stackable)


def unit_type(name):
    """The registry entry of unit type ``name`` (a clear error for an unknown name)."""
    if name not in VISIBLE_UNITS:
        raise ValueError(f"Unknown visible unit type {name!r}; expected one of "
                         f"{sorted(VISIBLE_UNITS)}.")
    return VISIBLE_UNITS[name]


def units_of(name, n, groups=None):
    """The :class:`Units` of a layer (visible or hidden) of type ``name`` with ``n`` units.

    A hidden layer is an entry of the same registry: its ``mean``, ``sample``,
    ``term`` and ``marginal`` play the same parts given the input ``c + v W``.
    """
    return visible_units(name, n, groups)


def visible_units(name, n, groups=None):
    """The :class:`Units` of a visible layer of type ``name`` with ``n`` units."""
    if isinstance(name, Units):
        return name
    return unit_type(name).build(n, groups)
