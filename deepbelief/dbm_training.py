"""Training a deep Boltzmann machine (Salakhutdinov & Hinton 2009).

1. **Greedy pretraining** with modified RBMs, so that the stack composes into
   a DBM: the bottom RBM doubles its bottom-up weights (``P(h|v)`` sees ``2 v W``,
   standing in for the missing top-down input), the top RBM doubles its
   top-down weights, and intermediate RBMs are trained as usual and enter the
   DBM with halved weights (Salakhutdinov & Hinton 2012).  A layer shared by two
   RBMs takes the mean of their two biases.
2. **Joint training**: the positive phase is the mean-field posterior of every
   hidden layer given the data; the negative phase runs persistent block-Gibbs
   chains (fantasy particles); the learning rate decays over the epochs.

The math lives in :mod:`deepbelief.dbm_energy`; this module is the loops.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .dbm_energy import gibbs_sweep, mean_field, mean_sigmoid, recognition_pass
from .energy import sample_bernoulli
from .optimizers import scheduled_learning_rate
from .partition import base_visible_bias
from .training import CDConfig, CDState, TrainingDivergedError, train_rbm


@dataclass
class DBMConfig:
    """Hyper-parameters of joint DBM training (see :class:`deepbelief.DBM`)."""

    visible: str = "bernoulli"
    learning_rate: float = 0.005
    learning_rate_schedule: str = "linear"
    momentum: float = 0.5
    weight_decay: float = 2e-4
    batch_size: int = 100
    n_particles: int = 100
    n_gibbs: int = 1
    n_mean_field: int = 10


@dataclass
class DBMState:
    """Parameters, velocities and fantasy particles that survive between epochs."""

    Ws: list
    bs: list
    vWs: list = None
    vbs: list = None
    particles: list = None
    epoch: int = 0
    history: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.vWs is None:
            self.vWs = [np.zeros_like(W) for W in self.Ws]
            self.vbs = [np.zeros_like(b) for b in self.bs]

    def params(self):
        return [*self.Ws, *self.bs]


# --------------------------------------------------------------------------
# greedy pretraining
# --------------------------------------------------------------------------
def pretrain_dbm(X, sizes, cd_config, n_epochs, rng, *, visible="bernoulli", verbose=0):
    """Greedily pretrain the modified RBMs and compose them into DBM parameters.

    ``cd_config`` is a :class:`~deepbelief.training.CDConfig` (its ``visible``,
    ``up_scale`` and ``down_scale`` are set per layer).  Each RBM is trained on
    the previous one's hidden probabilities, computed once per layer with the
    weights the DBM's bottom-up pass will use.  Returns ``(Ws, bs)``.
    """
    L = len(sizes)
    dtype = X.dtype
    data = X
    rbms = []
    for l, n_hidden in enumerate(sizes):
        bottom, top = l == 0, l == L - 1
        up = 2.0 if bottom and L > 1 else 1.0
        down = 2.0 if top and L > 1 else 1.0
        layer_visible = visible if bottom else "bernoulli"
        cfg = CDConfig(**{**cd_config.__dict__, "visible": layer_visible, "up_scale": up,
                          "down_scale": down})
        W = rng.standard_normal((data.shape[1], n_hidden), dtype=dtype)
        W *= 0.01
        mean = np.asarray(data.mean(axis=0, dtype=np.float64)).ravel()
        b = base_visible_bias(mean, layer_visible).astype(dtype)
        state = CDState(W, b, np.zeros(n_hidden, dtype=dtype))
        if verbose:
            print(f"[DBM] pretraining layer {l + 1}/{L}: {data.shape[1]} -> {n_hidden} "
                  f"(up x{up:g}, down x{down:g})")
        train_rbm(data, state, cfg, rng, n_epochs, verbose=verbose)
        rbms.append(state)
        if not top:
            a = data @ state.W
            a *= up
            a += state.c
            data = mean_sigmoid(a)  # kept out of the denormal range
    return compose_dbm(rbms)


def compose_dbm(rbms):
    """DBM parameters from pretrained RBM states (input side first)."""
    L = len(rbms)
    Ws = [r.W.copy() if l in (0, L - 1) else 0.5 * r.W for l, r in enumerate(rbms)]
    bs = [rbms[0].b.copy()]
    for l in range(1, L):
        bs.append(0.5 * (rbms[l - 1].c + rbms[l].b))
    bs.append(rbms[-1].c.copy())
    return Ws, bs


# --------------------------------------------------------------------------
# joint training
# --------------------------------------------------------------------------
def init_particles(X, Ws, bs, n_particles, rng):
    """Fantasy particles: random training rows and a sampled bottom-up pass."""
    rows = rng.choice(X.shape[0], n_particles, replace=X.shape[0] < n_particles)
    v = np.asarray(X[rows], dtype=Ws[0].dtype).copy()
    return [v, *[sample_bernoulli(m, rng, out=m) for m in recognition_pass(v, Ws, bs)]]


def dbm_gradient(V, state, cfg, rng):
    """Stochastic gradient of the log-likelihood (mean over the batch) for every parameter.

    Data term from the mean-field posterior, model term from the particles
    after ``n_gibbs`` block-Gibbs sweeps, with the odd layers replaced by their
    conditional means (Rao-Blackwellised).  Returns ``(gWs, gbs)``; advances the
    particles in place.
    """
    Ws, bs = state.Ws, state.bs
    pos = [V, *mean_field(V, Ws, bs, cfg.n_mean_field)]
    for _ in range(cfg.n_gibbs):
        odd_means = gibbs_sweep(state.particles, Ws, bs, rng, cfg.visible)
    neg = list(state.particles)
    for l, m in zip(range(1, len(neg), 2), odd_means):
        neg[l] = m
    B, M = V.shape[0], neg[0].shape[0]
    gWs = []
    for l in range(len(Ws)):
        g = pos[l].T @ pos[l + 1]
        g *= 1.0 / B
        g -= (neg[l].T @ neg[l + 1]) * (1.0 / M)
        gWs.append(g)
    gbs = [p.mean(axis=0) - q.mean(axis=0) for p, q in zip(pos, neg)]
    return gWs, gbs


def dbm_epoch(X, state, cfg, rng, lr):
    """One pass over ``X`` in shuffled minibatches; returns the mean gradient norm per layer."""
    n = X.shape[0]
    B = min(cfg.batch_size, n)
    if state.particles is None:
        state.particles = init_particles(X, state.Ws, state.bs, cfg.n_particles, rng)
    order = rng.permutation(n)
    norms = np.zeros(len(state.Ws))
    n_batches = 0
    for start in range(0, n, B):
        V = X[order[start : start + B]]
        gWs, gbs = dbm_gradient(V, state, cfg, rng)
        norms += [np.linalg.norm(g) for g in gWs]
        n_batches += 1
        for W, vW, g in zip(state.Ws, state.vWs, gWs):
            if cfg.weight_decay:
                g -= cfg.weight_decay * W
            vW *= cfg.momentum
            vW += lr * g
            W += vW
        for b, vb, g in zip(state.bs, state.vbs, gbs):
            vb *= cfg.momentum
            vb += lr * g
            b += vb
    return list(norms / max(n_batches, 1))


def train_dbm(X, state, cfg, rng, n_epochs, *, horizon=None, monitor=None, verbose=0):
    """Run ``n_epochs`` of joint training, recording ``state.history``.

    Per epoch: ``seconds``, ``learning_rate``, ``grad_norms`` (mean norm of the
    weight gradient of each layer, input side first) and what ``monitor(state)``
    returns.  Non-finite parameters restore the last finite ones and raise
    :class:`~deepbelief.training.TrainingDivergedError`.
    """
    horizon = n_epochs if horizon is None else horizon
    for _ in range(n_epochs):
        lr = scheduled_learning_rate(cfg.learning_rate_schedule, cfg.learning_rate, state.epoch,
                                     horizon)
        saved = [p.copy() for p in state.params()]
        t0 = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            norms = dbm_epoch(X, state, cfg, rng, lr)
        seconds = time.perf_counter() - t0
        if not all(np.isfinite(p).all() for p in state.params()):
            for p, s in zip(state.params(), saved):
                p[...] = s
            for v in (*state.vWs, *state.vbs):
                v[...] = 0
            state.particles = None
            raise TrainingDivergedError(
                f"DBM training diverged in epoch {state.epoch + 1} (non-finite weights with "
                f"learning_rate={lr:g}); the parameters of the previous epoch were restored. "
                "Lower learning_rate."
            )
        record = {"epoch": state.epoch + 1, "seconds": seconds, "learning_rate": lr,
                  "grad_norms": norms}
        if monitor is not None:
            record.update(monitor(state))
        for key, value in record.items():
            state.history.setdefault(key, []).append(value)
        state.epoch += 1
        if verbose:
            figures = ", ".join(f"{k} = {v:.4f}" for k, v in record.items()
                                if isinstance(v, float))
            print(f"[DBM] Iteration {record['epoch']}, {figures}")
    return state


def mean_field_batched(X, Ws, bs, n_iter, rows=2000):
    """:func:`~deepbelief.dbm_energy.mean_field` over ``X`` in chunks of ``rows``."""
    out = [np.empty((X.shape[0], W.shape[1]), dtype=Ws[0].dtype) for W in Ws]
    for start in range(0, X.shape[0], rows):
        mus = mean_field(np.asarray(X[start : start + rows], dtype=Ws[0].dtype), Ws, bs, n_iter)
        for o, m in zip(out, mus):
            o[start : start + rows] = m
    return out

