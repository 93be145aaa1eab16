"""Log-partition functions of RBMs by exact enumeration (AIS: :mod:`deepbelief.math.ais`).

``log Z = log sum_{v,h} exp(-E(v, h))``; with Gaussian visible units the sum over
``v`` is an integral.  Exact enumeration sums ``exp(-F)`` over every state of
the smaller binary layer (``2**n`` terms, so only for ``n`` up to ~25).  AIS
(Neal 2001; Salakhutdinov & Murray 2008) anneals from a base model with
independent visible units, whose ``log Z`` is known, to the RBM.
"""


import numpy as np

from .energy import (
    free_energy,
    free_energy_hidden,
    sigmoid,
)
from .units import all_binary_states, units_of, visible_units


def log_partition_exact(W, b, c, visible="bernoulli", max_units=25, chunk=4096,
                        hidden="bernoulli"):
    """Exact ``log Z`` by enumerating the layer with fewer states.

    Sums ``exp(-F(h))`` over all hidden states, or ``exp(-F(v))`` over all
    visible states when the visible units are discrete (:mod:`deepbelief.math.units`)
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
    parts = []
    for start in range(0, 2**n_hidden, chunk):
        states = all_binary_states(n_hidden, start=start, stop=min(2**n_hidden, start + chunk))
        parts.append(np.logaddexp.reduce(-free_energy_hidden(states, W, b, c, vis)))
    return float(np.logaddexp.reduce(parts))


def _hidden_states_logp(W, b, c, visible, max_units=20):
    """All hidden states and their exact log-probabilities ``log p(h)``."""
    n_hidden = W.shape[1]
    if n_hidden > max_units:
        raise ValueError(f"exact model statistics enumerate 2**{n_hidden} hidden states.")
    Hs = all_binary_states(n_hidden)
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


