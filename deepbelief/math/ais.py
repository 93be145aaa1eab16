"""Annealed importance sampling of ``log Z``, for RBMs and DBMs in one place.

AIS (Neal 2001; Salakhutdinov & Murray 2008) anneals from a base model whose
``log Z`` is known (independent visible units matching the data's marginals,
free hidden units) to the model, through ``p*_beta = base^(1-beta) p*^beta``,
and averages the chains' importance weights.  Here: the schedule, the base
models and the estimate; the chain loops are kernels
(:mod:`deepbelief.kernels.numpy_ais`).
"""

from collections import namedtuple
from functools import partial

import numpy as np

from ..kernels.numpy_ais import anneal_dbm, anneal_rbm, run_chain_groups
from .energy import logmeanexp
from .units import visible_units

AISResult = namedtuple("AISResult", ["log_z", "log_z_low", "log_z_high", "log_weights"])
AISResult.__doc__ = """Outcome of :func:`ais_log_partition`.

``log_z`` is ``log Z_base + log mean(w)``; ``log_z_low`` and ``log_z_high`` are
``log(mean(w) -/+ 3 sd(w) / sqrt(n_chains))`` (+ ``log Z_base``), the spread
Salakhutdinov & Murray (2008) report (``-inf`` when the lower end is not
positive); ``log_weights`` holds each chain's ``log w``."""


def ais_result(log_w, log_z_base):
    """:class:`AISResult` from the chains' log importance weights and the base's ``log Z``."""
    n_chains = log_w.size
    log_mean = logmeanexp(log_w)
    w = np.exp(log_w - log_w.max())
    mean = w.mean()
    sd = w.std(ddof=1) / np.sqrt(n_chains) if n_chains > 1 else 0.0
    shift = log_z_base + log_w.max()
    low = np.log(mean - 3 * sd) + shift if mean - 3 * sd > 0 else -np.inf
    high = np.log(mean + 3 * sd) + shift
    return AISResult(float(log_z_base + log_mean), float(low), float(high), log_w)


def ais_betas(n_betas=14500):
    """The inverse-temperature schedule of Salakhutdinov & Murray (2008).

    Uniform steps over [0, 0.5], [0.5, 0.9] and [0.9, 1] holding 500/14500,
    4000/14500 and 10000/14500 of the ``n_betas`` intermediate distributions.
    Returns ``n_betas + 1`` values from 0 to 1.
    """
    if n_betas < 3:
        return np.linspace(0.0, 1.0, max(int(n_betas), 1) + 1)
    n1 = max(1, round(n_betas * 500 / 14500))
    n2 = max(1, round(n_betas * 4000 / 14500))
    n3 = n_betas - n1 - n2
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n1, endpoint=False),
            np.linspace(0.5, 0.9, n2, endpoint=False),
            np.linspace(0.9, 1.0, n3 + 1),
        ]
    )


def base_visible_bias(data_mean, visible="bernoulli", eps=1e-3):
    """Visible bias of the AIS base model matching the data's marginals.

    Bernoulli: ``logit(clip(mean, eps, 1 - eps))``; Gaussian: the mean itself;
    categorical: ``log(clip(mean, eps))`` (the softmax of each group then gives
    its marginals).
    """
    m = np.asarray(data_mean, dtype=np.float64)
    return visible_units(visible, m.shape[0]).base_bias(m)


def ais_log_partition(
    W, b, c, visible="bernoulli", n_chains=100, betas=14500, base_bias=None, rng=None
):
    """Estimate ``log Z`` of an RBM by annealed importance sampling.

    The path interpolates energies, ``E_beta = (1 - beta) E_base + beta E_rbm``,
    where the base model has independent visible units with bias ``base_bias``
    (default: the RBM's own visible bias) and no coupling.  Marginalising ``h``,
    ``log p*_beta(v) = beta c'' + base term + sum_j softplus(beta (v W + c)_j)``,
    so one transition costs two ``(n_chains, n_visible) x (n_visible, n_hidden)``
    products and every weight update reuses the hidden input of the current
    state.  Runs in the dtype of ``W`` (float32 is ~2x faster); the chains run in
    two fixed groups, side by side on a multi-core machine (:func:`run_chain_groups`).

    Parameters
    ----------
    W, b, c : ndarray
        RBM parameters, ``W`` of shape ``(n_visible, n_hidden)``.
    visible : str or Units
        The visible unit type (:mod:`deepbelief.math.units`).
    n_chains : int
        Number of independent annealing runs.
    betas : int or array-like
        Number of intermediate distributions (schedule of :func:`ais_betas`), or
        the increasing inverse temperatures themselves, from 0 to 1.
    base_bias : ndarray of shape (n_visible,), optional
        Visible bias of the base model; :func:`base_visible_bias` builds it from
        the data mean, the choice of Salakhutdinov & Murray (2008).
    rng : numpy.random.Generator

    Returns
    -------
    AISResult
    """
    rng = np.random.default_rng(rng)
    dtype = W.dtype if W.dtype in (np.float32, np.float64) else np.float64
    W = np.ascontiguousarray(W, dtype=dtype)
    b = np.asarray(b, dtype=dtype)
    c = np.asarray(c, dtype=dtype)
    base = np.asarray(b if base_bias is None else base_bias, dtype=dtype)
    betas = np.asarray(ais_betas(betas) if np.ndim(betas) == 0 else betas, dtype=np.float64)
    if betas[0] != 0.0 or betas[-1] != 1.0 or np.any(np.diff(betas) <= 0):
        raise ValueError("betas must increase strictly from 0 to 1.")
    n_visible, n_hidden = W.shape
    units = visible_units(visible, n_visible)

    # log Z of the base model (beta = 0): its hidden units are free, 2**n_hidden.
    base64 = base.astype(np.float64)
    log_z_base = float(units.marginal(np.zeros((1, n_visible)), base64)[0])
    log_z_base += n_hidden * np.log(2.0)

    anneal = partial(anneal_rbm, W=W, b=b, c=c, base=base, betas=betas, units=units)
    log_w = np.concatenate(run_chain_groups(anneal, n_chains, rng))
    return ais_result(log_w, log_z_base)


def dbm_ais_log_partition(Ws, bs, visible="bernoulli", n_chains=100, betas=14500, base_bias=None,
                          rng=None, base_hidden=None):
    """Estimate ``log Z`` of a DBM by annealed importance sampling.

    As for RBMs (Salakhutdinov & Murray 2008; Salakhutdinov & Hinton 2009): the
    path ``p*_beta = base^(1-beta) p*^beta`` starts at independent visible units
    with bias ``base_bias``, independent units in the even hidden layers with
    biases ``base_hidden`` (a dict ``{layer: bias}``; default 0, free units) and
    free units in the odd layers.  A base closer to the model (e.g. the logits
    of the mean posterior of ``h^2`` on the data, as the visible base takes
    the data's marginals) shortens the path.  The odd layers are
    summed out analytically, so a chain's state is the even layers (``v``,
    ``h^2``, ...) and ``log p*_beta`` is their (annealed) bias terms plus
    ``sum softplus(beta * input)`` over the odd units.  A transition samples
    the odd layers, then the even ones, at ``beta``.  Runs in the dtype of the
    weights, the chains in two groups side by side (:func:`deepbelief.kernels.numpy_ais.run_chain_groups`).
    Returns an :class:`AISResult`.
    """
    rng = np.random.default_rng(rng)
    dtype = Ws[0].dtype if Ws[0].dtype in (np.float32, np.float64) else np.float64
    Ws = [np.ascontiguousarray(W, dtype=dtype) for W in Ws]
    bs = [np.asarray(b, dtype=dtype) for b in bs]
    base = np.asarray(bs[0] if base_bias is None else base_bias, dtype=dtype)
    betas = np.asarray(ais_betas(betas) if np.ndim(betas) == 0 else betas, dtype=np.float64)
    if betas[0] != 0.0 or betas[-1] != 1.0 or np.any(np.diff(betas) <= 0):
        raise ValueError("betas must increase strictly from 0 to 1.")
    L = len(Ws)
    units = visible_units(visible, Ws[0].shape[0])
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    odd, even_hidden = list(range(1, L + 1, 2)), list(range(2, L + 1, 2))

    log_z_base = float(units.marginal(np.zeros((1, sizes[0])), base.astype(np.float64))[0])
    base_h = {l: np.zeros(sizes[l], dtype=dtype) for l in even_hidden}
    for l, bias in (base_hidden or {}).items():
        if l not in base_h or np.shape(bias) != (sizes[l],):
            raise ValueError(f"base_hidden must map even hidden layers {even_hidden} to biases "
                             "of their sizes.")
        base_h[l] = np.asarray(bias, dtype=dtype)
    log_z_base += np.log(2.0) * sum(sizes[l] for l in odd)
    log_z_base += sum(float(np.logaddexp(0.0, base_h[l].astype(np.float64)).sum())
                      for l in even_hidden)

    anneal = partial(anneal_dbm, Ws=Ws, bs=bs, base=base, base_h=base_h, betas=betas,
                     units=units)
    log_w = np.concatenate(run_chain_groups(anneal, n_chains, rng))
    return ais_result(log_w, log_z_base)
