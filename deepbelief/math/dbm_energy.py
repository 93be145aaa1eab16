"""Deep Boltzmann machine math as small pure array functions.

A DBM with hidden layers ``h^1 .. h^L`` above the visible layer ``h^0 = v``
has weights ``Ws = [W_1, ..., W_L]`` (``W_l`` of shape ``(n_{l-1}, n_l)``) and
biases ``bs = [b_0, b_1, ..., b_L]``.  Its energy is::

    E(v, h) = -b_0.v - sum_{l>=1} b_l.h^l - sum_{l>=1} h^{l-1} W_l h^l     (Bernoulli v)
    E(v, h) = ||v - b_0||^2 / 2 - ...                                       (Gaussian v)

Every layer only talks to its two neighbours, so the odd layers are
independent given the even ones and vice versa: Gibbs sampling alternates the
two blocks, and summing out one block is analytic (a softplus per unit, or a
Gaussian integral for the visible layer).  ``layers`` below is the list of
states ``[v, h^1, ..., h^L]``, one row per sample.

Salakhutdinov & Hinton (2009), Deep Boltzmann machines.
"""

import numpy as np

from ..kernels.numpy_kernels import mean_sigmoid
from .energy import softplus, uniform
from .units import all_binary_states, visible_units


def layer_input(layers, Ws, bs, l):
    """Total input of layer ``l`` from its neighbours: ``b_l + h^{l-1} W_l + h^{l+1} W_{l+1}^T``."""
    a = np.asarray(bs[l], dtype=Ws[0].dtype) + 0.0
    if l > 0:
        a = a + layers[l - 1] @ Ws[l - 1]
    if l < len(Ws):
        a = a + layers[l + 1] @ Ws[l].T
    return a


def _visible(visible, Ws):
    """The visible layer's entry of the unit registry (:mod:`deepbelief.math.units`)."""
    return visible_units(visible, Ws[0].shape[0])


def conditional_mean(layers, Ws, bs, l, visible="bernoulli"):
    """Conditional mean of layer ``l`` given its neighbours: the sigmoid of its
    input for Bernoulli units, the visible unit type's mean for layer 0."""
    a = layer_input(layers, Ws, bs, l)
    units = _visible(visible, Ws) if l == 0 else None
    if units is not None and units.name != "bernoulli":
        return units.mean(a)
    return mean_sigmoid(a)


def update_layers(layers, Ws, bs, which, rng=None, visible="bernoulli"):
    """Replace ``layers[l]`` for every ``l`` in ``which`` (all of the same parity).

    With ``rng`` the layers are sampled from their conditionals (a Gibbs block
    update); without, they are set to the conditional means (a mean-field
    update).  Returns the list of conditional means, one per updated layer.
    """
    means = []
    for l in which:
        m = conditional_mean(layers, Ws, bs, l, visible)
        means.append(m)
        if rng is None:
            layers[l] = m
        elif l == 0 and _visible(visible, Ws).name != "bernoulli":
            layers[l] = _visible(visible, Ws).sample(m, rng)
        else:
            u = uniform(rng, np.empty_like(m))
            layers[l] = np.less(u, m, out=u)
    return means


def odd_layers(n_layers):
    return list(range(1, n_layers + 1, 2))


def even_layers(n_layers, include_visible=True):
    return list(range(0 if include_visible else 2, n_layers + 1, 2))


def gibbs_sweep(layers, Ws, bs, rng, visible="bernoulli"):
    """One block-Gibbs sweep in place: even layers (v included) given the odd ones,
    then odd given even.  Returns the odd layers' conditional means given the new
    even states (for Rao-Blackwellised statistics)."""
    L = len(Ws)
    update_layers(layers, Ws, bs, even_layers(L), rng, visible)
    return update_layers(layers, Ws, bs, odd_layers(L), rng, visible)


def recognition_pass(v, Ws, bs):
    """Initial posterior means: one bottom-up pass with doubled weights below the top.

    Layer ``l < L`` will also get input from layer ``l + 1``, which the
    bottom-up pass approximates by doubling its input from below
    (Salakhutdinov & Larochelle 2010); the top layer has no layer above.
    """
    mus, x = [], v
    for l, W in enumerate(Ws, start=1):
        a = x @ W
        if l < len(Ws):
            a *= 2.0
        a += bs[l]
        x = mean_sigmoid(a)
        mus.append(x)
    return mus


def mean_field(v, Ws, bs, n_iter=10, tol=0.0, init=None):
    """Mean-field posterior means of the hidden layers given ``v``.

    The factorised posterior is ``q(h | v) = prod_l prod_j Bernoulli(mu^l_j)``.

    Fixed-point updates ``mu^l = sigmoid(b_l + mu^{l-1} W_l + mu^{l+1} W_{l+1}^T)``,
    odd layers then even layers, each a coordinate ascent step on the
    variational bound, for ``n_iter`` sweeps or until the largest change is
    below ``tol``.  ``init`` defaults to :func:`recognition_pass`.  The input of
    the first layer from ``v`` is computed once.  Returns ``[mu^1, ..., mu^L]``.
    """
    L = len(Ws)
    from_v = v @ Ws[0]
    if init is None:  # the recognition pass, reusing v W_1
        a = from_v * (2.0 if L > 1 else 1.0)
        a += bs[1]
        mus = [mean_sigmoid(a)]
        mus += recognition_pass(mus[0], Ws[1:], [None, *bs[2:]]) if L > 1 else []
    else:
        mus = [m.copy() for m in init]
    from_v += bs[1]
    order = odd_layers(L) + even_layers(L, include_visible=False)
    for _ in range(n_iter):
        change = 0.0
        for l in order:
            if l == 1:
                a = from_v.copy()
            else:
                a = mus[l - 2] @ Ws[l - 1]
                a += bs[l]
            if l < L:
                a += mus[l] @ Ws[l].T
            mean_sigmoid(a)
            if tol:
                change = max(change, float(np.abs(a - mus[l - 1]).max()))
            mus[l - 1] = a
        if tol and change < tol:
            break
    return mus


def dbm_energy(layers, Ws, bs, visible="bernoulli"):
    """Energy ``E(v, h)`` of every row (states may be means: the energy is multilinear)."""
    e = -_visible(visible, Ws).term(layers[0], bs[0])
    for l, W in enumerate(Ws, start=1):
        e = e - layers[l] @ bs[l] - np.einsum("ij,ij->i", layers[l - 1] @ W, layers[l])
    return e


def bernoulli_entropy(mu):
    """Entropy of independent Bernoulli units with means ``mu``, summed per row."""
    mu = np.asarray(mu, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(mu * np.log(mu) + (1 - mu) * np.log1p(-mu))
    return np.nan_to_num(h, nan=0.0).sum(axis=1)


def variational_bound(v, mus, Ws, bs, visible="bernoulli"):
    """Variational lower bound on the unnormalised log-probability of each row of ``v``.

    ``-E_q[E(v, h)] + H(q) <= log p*(v) = log sum_h exp(-E(v, h))``.

    Subtract ``log Z`` for a lower bound on ``log p(v)``.  The energy is linear
    in each layer, so under the factorised ``q`` its expectation is the energy
    at the means.
    """
    return -dbm_energy([v, *mus], Ws, bs, visible) + sum(bernoulli_entropy(m) for m in mus)


# --------------------------------------------------------------------------
# summing out one parity analytically: exact enumeration (tiny models) and AIS
# --------------------------------------------------------------------------
def log_unnormalized_given(layers, Ws, bs, summed, visible="bernoulli"):
    """Log of ``exp(-E)`` summed over the ``summed`` layers, per row of the others.

    No two ``summed`` layers may be neighbours, so given the others they are
    independent: each Bernoulli unit contributes ``softplus(input)`` and
    Gaussian visible units the integral ``||m||^2 / 2 - ||b_0||^2 / 2 +
    n log(2 pi) / 2`` with ``m = b_0 + h^1 W_1^T``.  The kept layers contribute
    their bias (or Gaussian) terms and the couplings between kept neighbours.
    """
    L = len(Ws)
    units = _visible(visible, Ws)
    kept = [l for l in range(L + 1) if l not in summed]
    total = np.zeros(layers[kept[0]].shape[0], dtype=np.float64)
    for l in range(L + 1):
        if l == 0 and l in summed:
            total += units.marginal(layers[1] @ Ws[0].T, bs[0])
        elif l in summed:
            total += softplus(layer_input(layers, Ws, bs, l)).sum(axis=1)
        elif l == 0:
            total += units.term(layers[0], bs[0])
        else:
            total += layers[l] @ bs[l]
        if l < L and l not in summed and l + 1 not in summed:
            total += np.einsum("ij,ij->i", layers[l] @ Ws[l], layers[l + 1])
    return total


def _enumerated_parity(Ws, visible):
    """The parity (list of layers) with fewer binary units to enumerate."""
    L = len(Ws)
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    odd, even = odd_layers(L), even_layers(L)
    n_odd, n_even = sum(sizes[l] for l in odd), sum(sizes[l] for l in even)
    if _visible(visible, Ws).states is None or n_odd <= n_even:  # continuous: sum it out
        return odd, sizes
    return even, sizes


def _states_of(layers_idx, sizes, start, stop):
    """Binary states number ``start`` to ``stop - 1`` of the concatenated layers, per layer."""
    bits = all_binary_states(sum(sizes[l] for l in layers_idx), start=start, stop=stop)
    out, offset = {}, 0
    for l in layers_idx:
        out[l] = bits[:, offset : offset + sizes[l]]
        offset += sizes[l]
    return out


def log_partition_exact(Ws, bs, visible="bernoulli", max_units=22, chunk=4096):
    """Exact ``log Z`` of a tiny DBM: enumerate one parity, sum out the other."""
    Ws = [np.asarray(W, dtype=np.float64) for W in Ws]
    bs = [np.asarray(b, dtype=np.float64) for b in bs]
    enum, sizes = _enumerated_parity(Ws, visible)
    n = sum(sizes[l] for l in enum)
    if n > max_units:
        raise ValueError(f"exact log Z enumerates 2**{n} states; more than 2**{max_units}: "
                         "use AIS.")
    summed = [l for l in range(len(Ws) + 1) if l not in enum]
    parts = []
    for start in range(0, 2**n, chunk):
        states = _states_of(enum, sizes, start, min(2**n, start + chunk))
        layers = [states.get(l) for l in range(len(Ws) + 1)]
        parts.append(np.logaddexp.reduce(log_unnormalized_given(layers, Ws, bs, summed, visible)))
    return float(np.logaddexp.reduce(parts))


def log_unnormalized_exact(v, Ws, bs, visible="bernoulli", max_units=24, chunk=4096):
    """Exact unnormalised log-probability of each row of ``v`` (small DBMs).

    ``log p*(v) = log sum_h exp(-E(v, h))``.

    Enumerates the odd layers ``s`` in chunks and sums out the even hidden
    layers, whose inputs do not depend on ``v``::

        log p*(v) = t(v) + logsumexp_s [c(s) + (v W_1) . h^1(s)]

    with ``t(v)`` the visible bias (or Gaussian) term and ``c(s)`` the odd
    layers' bias terms plus the softplus of every even hidden unit.
    """
    v = np.asarray(v, dtype=np.float64)
    Ws = [np.asarray(W, dtype=np.float64) for W in Ws]
    bs = [np.asarray(b, dtype=np.float64) for b in bs]
    L = len(Ws)
    sizes = [W.shape[0] for W in Ws] + [Ws[-1].shape[1]]
    odd = odd_layers(L)
    n = sum(sizes[l] for l in odd)
    if n > max_units:
        raise ValueError(f"exact log p*(v) enumerates 2**{n} states of the odd layers; "
                         f"more than 2**{max_units}.")
    summed = even_layers(L, include_visible=False)
    vW = v @ Ws[0]
    total = np.full(v.shape[0], -np.inf)
    for start in range(0, 2**n, chunk):
        states = _states_of(odd, sizes, start, min(2**n, start + chunk))
        layers = [None] + [states.get(l) for l in range(1, L + 1)]  # v enters through vW
        c = np.zeros(states[1].shape[0])
        for l in odd:
            c += states[l] @ bs[l]
        for l in summed:
            c += softplus(layer_input(layers, Ws, bs, l)).sum(axis=1)
        total = np.logaddexp(total, np.logaddexp.reduce(c[None, :] + vW @ states[1].T, axis=1))
    return total + _visible(visible, Ws).term(v, bs[0])


