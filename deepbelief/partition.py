"""Log-partition functions of RBMs: exact enumeration and annealed importance sampling.

``log Z = log sum_{v,h} exp(-E(v, h))``; with Gaussian visible units the sum over
``v`` is an integral.  Exact enumeration sums ``exp(-F)`` over every state of
the smaller binary layer (``2**n`` terms, so only for ``n`` up to ~25).  AIS
(Neal 2001; Salakhutdinov & Murray 2008) anneals from a base model with
independent visible units, whose ``log Z`` is known, to the RBM.
"""

import os
from collections import namedtuple

import numpy as np

from .energy import (
    free_energy,
    free_energy_hidden,
    logmeanexp,
    sigmoid,
    uniform,
)
from .kernels import sample_sigmoid_of_negated
from .units import units_of, visible_units

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


def chain_groups(n_chains):
    """Split ``n_chains`` AIS runs into the fixed groups :func:`run_chain_groups` uses.

    Two groups (one when there is a single chain), whatever the machine: the
    random streams, and so the estimate, do not depend on the number of cores.
    """
    n_chains = int(n_chains)
    if n_chains < 2:
        return [n_chains]
    return [n_chains - n_chains // 2, n_chains // 2]


def run_chain_groups(run, n_chains, rng):
    """``[run(n, rng_n) for each group]``: independent AIS chains, two groups at once.

    Each group gets its own stream (``rng.spawn``).  With two or more cores the
    groups run in two threads with the BLAS threads shared out between them
    (numpy releases the GIL in its loops and products), so the elementwise work
    of the chains, single-threaded in numpy, runs on both cores too; on one
    core they run one after the other.  The result is the same either way.
    """
    sizes = chain_groups(n_chains)
    rngs = rng.spawn(len(sizes))
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpu = os.cpu_count() or 1
    if len(sizes) == 1 or n_cpu < 2:
        return [run(n, g) for n, g in zip(sizes, rngs)]
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=max(1, n_cpu // len(sizes)), user_api="blas"):
        with ThreadPoolExecutor(len(sizes)) as pool:
            return list(pool.map(run, sizes, rngs))


def log_partition_exact(W, b, c, visible="bernoulli", max_units=25, chunk=4096,
                        hidden="bernoulli"):
    """Exact ``log Z`` by enumerating the layer with fewer states.

    Sums ``exp(-F(h))`` over all hidden states, or ``exp(-F(v))`` over all
    visible states when the visible units are discrete (:mod:`deepbelief.units`)
    and have fewer states (or the hidden units are continuous).  Computed in
    float64 whatever the parameters' dtype.
    """
    W, b, c = (np.asarray(a, dtype=np.float64) for a in (W, b, c))
    n_visible, n_hidden = W.shape
    vis, hid = visible_units(visible, n_visible), units_of(hidden, n_hidden)
    sides = [(u.n_states, rank, u) for rank, u in ((0, hid), (1, vis)) if u.states is not None]
    if not sides:
        raise ValueError("exact log Z enumerates a discrete layer; both layers are continuous.")
    n_states, _, layer = min(sides, key=lambda t: t[:2])
    if n_states > 2**max_units:
        raise ValueError(
            f"exact log Z enumerates the {n_states} states of the smaller layer; "
            f"that is more than 2**{max_units}: use method='ais'."
        )
    if layer is vis:
        f = free_energy(vis.states(), W, b, c, vis, hid)
        return float(np.logaddexp.reduce(-f))
    if hid.name != "bernoulli":
        return float(np.logaddexp.reduce(-free_energy_hidden(hid.states(), W, b, c, vis, hid)))
    idx = np.arange(2**n_hidden)
    parts = []
    for start in range(0, idx.size, chunk):
        states = ((idx[start : start + chunk, None] >> np.arange(n_hidden)) & 1).astype(np.float64)
        parts.append(np.logaddexp.reduce(-free_energy_hidden(states, W, b, c, vis)))
    return float(np.logaddexp.reduce(parts))


def _hidden_states_logp(W, b, c, visible, max_units=20):
    """All hidden states and their exact log-probabilities ``log p(h)``."""
    n_hidden = W.shape[1]
    if n_hidden > max_units:
        raise ValueError(f"exact model statistics enumerate 2**{n_hidden} hidden states.")
    Hs = ((np.arange(2**n_hidden)[:, None] >> np.arange(n_hidden)) & 1).astype(np.float64)
    neg_f = -free_energy_hidden(Hs, W, b, c, visible)
    return Hs, neg_f - np.logaddexp.reduce(neg_f)


def model_statistics_exact(W, b, c, visible="bernoulli"):
    """Exact model expectations ``(E[v h^T], E[v], E[h])`` by enumerating ``h``.

    ``E[v h^T] = sum_h p(h) E[v | h] h^T`` with ``E[v | h]`` the mean of the
    visible unit type (``sigmoid(b + W h)`` for Bernoulli units).  The log-likelihood gradient is the
    data's expectations minus these (:func:`exact_log_likelihood_gradient`).
    """
    W, b, c = (np.asarray(a, dtype=np.float64) for a in (W, b, c))
    Hs, logp = _hidden_states_logp(W, b, c, visible)
    p = np.exp(logp)
    m = visible_units(visible, W.shape[0]).mean(Hs @ W.T + b)
    pm = p[:, None] * m
    return pm.T @ Hs, pm.sum(0), p @ Hs


def exact_log_likelihood_gradient(V, W, b, c, visible="bernoulli"):
    """Exact gradient of the mean log-likelihood of ``V`` w.r.t. ``(W, b, c)``.

    ``d/dW mean log p(v) = <v P(h|v)^T>_data - <v h^T>_model`` (and likewise for
    the biases), with the model term computed by enumeration (tiny models).
    """
    V = np.asarray(V, dtype=np.float64)
    W64, b64, c64 = (np.asarray(a, dtype=np.float64) for a in (W, b, c))
    ph = sigmoid(V @ W64 + c64)
    n = V.shape[0]
    dW_data, db_data, dc_data = V.T @ ph / n, V.mean(0), ph.mean(0)
    # Gaussian units: d/db of -||v - b||^2 / 2 is v - b, and the b cancels between
    # the data and the model terms, so the same expression holds.
    vh, v, h = model_statistics_exact(W64, b64, c64, visible)
    return dW_data - vh, db_data - v, dc_data - h


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
        The visible unit type (:mod:`deepbelief.units`).
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
    gaussian = units.name == "gaussian"
    # Bernoulli and Gaussian units have kernels of their own below; other types
    # (categorical) go through their registry entry
    generic = units.name not in ("bernoulli", "gaussian")

    # log Z of the base model (beta = 0): its hidden units are free, 2**n_hidden.
    base64 = base.astype(np.float64)
    log_z_base = float(units.marginal(np.zeros((1, n_visible)), base64)[0])
    log_z_base += n_hidden * np.log(2.0)

    WT = np.ascontiguousarray(W.T)  # fixed weights: a C-ordered copy makes h W^T ~15 % faster
    # Visible-only part of log p*_beta(v) is linear in beta: base + beta * delta.
    # Bernoulli: (1-beta) base.v + beta b.v ; Gaussian: -(1-beta)|v-base|^2/2 - beta|v-b|^2/2
    bmb = b - base
    # Gaussian: the difference of the two quadratic terms is linear in v.
    half_sq = 0.5 * float(b @ b - base @ base)

    def visible_delta(v):
        if gaussian:
            return v @ bmb - half_sq
        return v @ bmb

    def anneal(n_chains, rng):
        """Run ``n_chains`` annealing chains; their log importance weights."""
        # Exact sample of the base model.
        v = np.empty((n_chains, n_visible), dtype=dtype)
        if generic:
            units.sample(units.mean(np.repeat(base[None, :], n_chains, axis=0)), rng, out=v)
        elif gaussian:
            rng.standard_normal(out=v, dtype=dtype)
            v += base
        else:
            uniform(rng, v)
            np.less(v, sigmoid(base.copy()), out=v)

        a = np.empty((n_chains, n_hidden), dtype=dtype)
        x = np.empty_like(a)
        buf = np.empty_like(a)
        buf2 = np.empty_like(a)
        e = np.empty_like(a)
        abs_a = np.empty_like(a)
        m = np.empty((n_chains, n_visible), dtype=dtype)
        log_w = np.zeros(n_chains, dtype=np.float64)
        np.matmul(v, W, out=a)
        a += c
        neg_base_mix = np.empty_like(b)
        for k in range(1, betas.size):
            beta_prev, beta = betas[k - 1], betas[k]
            # log w += log p*_k(v) - log p*_{k-1}(v) for the state v left by T_{k-1}.
            # The hidden part is sum_j softplus(beta a_j) - softplus(beta' a_j) with
            # softplus(x) = max(x, 0) + log1p(exp(-|x|)): the max terms give
            # (beta - beta') sum_j max(a_j, 0) with 2 max(a, 0) = a + |a| (exact in
            # floating point), and |beta a| = beta |a|.  Row sums are float32
            # (pairwise summation), accumulated into float64 log weights.
            np.abs(a, out=abs_a)
            np.add(a, abs_a, out=buf)
            hidden = (0.5 * (beta - beta_prev)) * buf.sum(axis=1).astype(np.float64)
            np.multiply(abs_a, -beta, out=e)
            np.exp(e, out=e)  # exp(-beta |a|), reused by the transition below
            np.log1p(e, out=buf)
            np.multiply(abs_a, -beta_prev, out=buf2)
            np.exp(buf2, out=buf2)
            np.log1p(buf2, out=buf2)
            buf -= buf2
            hidden += buf.sum(axis=1)
            log_w += (beta - beta_prev) * visible_delta(v) + hidden
            if k == betas.size - 1:
                break
            # transition T_k leaving p*_k invariant: h ~ P_k(h | v), v ~ P_k(v | h).
            # u < sigmoid(beta a)  <=>  u (1 + exp(-beta a)) < 1, and exp(-beta a) is e
            # for a >= 0 and 1/e below: u (1 + e) < (1 if a >= 0 else e) = max(e, [a >= 0])
            np.add(e, 1.0, out=buf)
            uniform(rng, x)
            x *= buf
            np.greater_equal(a, 0.0, out=buf2)
            np.maximum(buf2, e, out=buf2)
            np.less(x, buf2, out=x)
            x *= beta  # h scaled by beta for the product below
            np.matmul(x, WT, out=m)  # beta * W h
            # mean input of v: beta (b + W h) + (1 - beta) base
            np.multiply(b, -beta, out=neg_base_mix)
            neg_base_mix -= (1.0 - beta) * base
            if generic:
                m -= neg_base_mix
                units.sample(units.mean(m), rng, out=v)
            elif gaussian:
                rng.standard_normal(out=v, dtype=dtype)
                v -= neg_base_mix
                v += m
            else:
                np.subtract(neg_base_mix, m, out=m)  # -(input)
                sample_sigmoid_of_negated(m, v, rng)
            np.matmul(v, W, out=a)
            a += c
        return log_w

    log_w = np.concatenate(run_chain_groups(anneal, n_chains, rng))
    return ais_result(log_w, log_z_base)
