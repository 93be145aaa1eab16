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

The math lives in :mod:`deepbelief.math.dbm_energy`; this module is the loops.
"""

from dataclasses import dataclass, field

import numpy as np

from ..kernels.numpy_kernels import mean_sigmoid, sigmoid_of_negated
from ..math.dbm_energy import (
    conditional_mean,
    gibbs_sweep,
    mean_field,
    recognition_pass,
    variational_bound,
)
from ..math.energy import GRID16, bernoulli_grid16, binarize_dynamic, sample_bernoulli
from .contrastive_divergence import (
    CDConfig,
    init_cd_state,
    reconstruction_monitor,
    train_rbm,
)
from .loop import run_learner, stack_greedily
from .optimizers import make_optimizer
from .progress import minibatches, phase_label


@dataclass
class DBMConfig:
    """Hyper-parameters of joint DBM training (see :class:`deepbelief.DBM`)."""

    visible: str = "bernoulli"
    learning_rate: float = 0.005
    learning_rate_schedule: str = "linear"
    # the optimizer (deepbelief.training.optimizers): "momentum" with momentum 0 is plain SGD
    solver: str = "momentum"
    momentum: float = 0.5
    weight_decay: float = 2e-4
    batch_size: int = 100
    n_particles: int = 100
    n_gibbs: int = 1
    n_mean_field: int = 10
    # each minibatch a fresh draw x ~ Bernoulli(X) (energy.binarize_dynamic)
    dynamic_binarization: bool = False


@dataclass
class DBMState:
    """Parameters, optimizer state and fantasy particles that survive between epochs."""

    Ws: list
    bs: list
    opt_state: dict = None  # the optimizer's state over params(); None: not started
    particles: list = None
    epoch: int = 0
    history: dict = field(default_factory=dict)

    def params(self):
        return [*self.Ws, *self.bs]


# --------------------------------------------------------------------------
# greedy pretraining
# --------------------------------------------------------------------------
def pretrain_dbm(X, sizes, cd_config, n_epochs, rng, *, visible="bernoulli", verbose=0):
    """Greedily pretrain the modified RBMs and compose them into DBM parameters.

    ``cd_config`` is a :class:`~deepbelief.training.contrastive_divergence.CDConfig` (its ``visible``,
    ``up_scale`` and ``down_scale`` are set per layer).  Each RBM is trained on
    the previous one's hidden probabilities, computed once per layer with the
    weights the DBM's bottom-up pass will use.  Returns ``(Ws, bs)``.
    """
    L = len(sizes)

    def scales(l):
        """The weight doubling of the bottom-up and top-down conditionals."""
        return (2.0 if l == 0 and L > 1 else 1.0), (2.0 if l == L - 1 and L > 1 else 1.0)

    def fit_layer(l, data):
        up, down = scales(l)
        layer_visible = visible if l == 0 else "bernoulli"
        cfg = CDConfig(**{**cd_config.__dict__, "visible": layer_visible, "up_scale": up,
                          "down_scale": down,
                          "dynamic_binarization": cd_config.dynamic_binarization and l == 0})
        mean = np.asarray(data.mean(axis=0, dtype=np.float64)).ravel()
        state = init_cd_state(sizes[l], mean, layer_visible, rng, X.dtype)
        if verbose:
            print(f"{phase_label('DBM')}: {data.shape[1]} -> {sizes[l]} "
                  f"(up x{up:g}, down x{down:g})")
        monitor = reconstruction_monitor(data, layer_visible, up=up, down=down)
        train_rbm(data, state, cfg, rng, n_epochs, monitor=monitor, verbose=verbose)
        return state

    def pass_up(l, state, data):
        a = data @ state.W
        a *= scales(l)[0]
        a += state.c
        return mean_sigmoid(a)  # kept out of the denormal range

    return compose_dbm(stack_greedily(X, L, fit_layer, pass_up))


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
    particles in place.  Written with the pure functions of
    :mod:`~deepbelief.math.dbm_energy`: the reference that the buffered
    :func:`dbm_epoch` is tested against, update for update.
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


# The fast epoch below computes what dbm_gradient and the momentum update compute
# (the tests hold it to them), with per-epoch buffers reused through ``out=``:
# sigmoids take their input negated (the bias folded into that pass), Bernoulli
# draws compare 16-bit integers with 2**16 p (energy.bernoulli_grid16), and the
# data and model statistics of a layer pair are one product, as in training.py.
class _DBMBuffers:
    """Work arrays of one batch size ``B`` (``M`` particles).

    ``S[l]`` stacks the data statistics of layer ``l`` (rows ``:B``: the batch,
    then its mean-field means) over the model's (rows ``B:``: the particles of
    the even layers, the conditional means of the odd ones); ``odd[l]`` holds
    the odd layers' particle samples.
    """

    def __init__(self, B, M, sizes, dtype, weight_decay):
        L = len(sizes) - 1
        self.B, self.M = B, M
        self.S = [np.empty((B + M, n), dtype) for n in sizes]
        # the right factor of the statistics product: S[l] scaled row by row (l >= 1)
        self.Q = [None] + [np.empty((B + M, n), dtype) for n in sizes[1:]]
        self.T = [np.empty((max(B, M), n), dtype) for n in sizes]  # second product of an input
        self.F = np.empty((B, sizes[1]), dtype)  # -(v W_1 + b_1), once per batch
        self.odd = {l: np.empty((M, sizes[l]), dtype) for l in range(1, L + 1, 2)}
        self.G = [np.empty((sizes[l], sizes[l + 1]), dtype) for l in range(L)]
        self.D = [np.empty_like(G) for G in self.G] if weight_decay else None
        self.db = [np.empty(n, dtype) for n in sizes]
        self.weights = np.empty(B + M, dtype)  # lr / B on the data rows, -lr / M below

    def load(self, particles):
        for l, p in enumerate(particles):
            (self.odd[l] if l in self.odd else self.S[l][self.B :])[...] = p

    def store(self, particles):
        for l, p in enumerate(particles):
            p[...] = self.odd[l] if l in self.odd else self.S[l][self.B :]


def _layer_input_negated(buf, states, Ws, nbs, l, out):
    """``out <- -(b_l + x^{l-1} W_l + x^{l+1} W_{l+1}^T)``, ``x^k`` being ``states(k)``."""
    L = len(Ws)
    T = buf.T[l][: out.shape[0]]
    if l > 0:
        np.matmul(states(l - 1), Ws[l - 1], out=out)
        if l < L:
            np.matmul(states(l + 1), Ws[l].T, out=T)
            out += T
    else:
        np.matmul(states(1), Ws[0].T, out=out)
    return np.subtract(nbs[l], out, out=out)


def _positive_phase(buf, Ws, nbs, n_iter):
    """Mean-field means of the batch in ``buf.S[l][:B]`` (as dbm_energy.mean_field)."""
    B, L, S, F = buf.B, len(Ws), buf.S, buf.F
    pos = lambda l: S[l][:B]
    np.matmul(pos(0), Ws[0], out=F)
    # recognition pass (dbm_energy.recognition_pass): inputs from below, doubled below the top
    for l in range(1, L + 1):
        A = pos(l)
        if l == 1:
            np.multiply(F, 2.0 if L > 1 else 1.0, out=A)
        else:
            np.matmul(pos(l - 1), Ws[l - 1], out=A)
            if l < L:
                A *= 2.0
        np.subtract(nbs[l], A, out=A)
        sigmoid_of_negated(A)
    np.subtract(nbs[1], F, out=F)  # -(v W_1 + b_1)
    order = list(range(1, L + 1, 2)) + list(range(2, L + 1, 2))
    for _ in range(n_iter):
        for l in order:
            A = pos(l)
            if l == 1:
                if L > 1:
                    np.matmul(pos(2), Ws[1].T, out=A)
                    np.subtract(F, A, out=A)
                else:
                    A[...] = F
            else:
                _layer_input_negated(buf, pos, Ws, nbs, l, A)
            sigmoid_of_negated(A)


def _negative_phase(buf, Ws, nbs, cfg, rng):
    """``cfg.n_gibbs`` block-Gibbs sweeps of the particles (as dbm_energy.gibbs_sweep);
    the odd layers' conditional means of the last sweep land in ``buf.S[l][B:]``."""
    B, L, S = buf.B, len(Ws), buf.S
    states = lambda l: buf.odd[l] if l % 2 else S[l][B:]
    for _ in range(cfg.n_gibbs):
        for l in range(0, L + 1, 2):
            A = S[l][B:]
            _layer_input_negated(buf, states, Ws, nbs, l, A)
            if l == 0 and cfg.visible == "gaussian":
                np.negative(A, out=A)
                A += rng.standard_normal(A.shape, dtype=A.dtype)
            else:
                bernoulli_grid16(sigmoid_of_negated(A, GRID16), rng, out=A)
        for l in range(1, L + 1, 2):
            mean = S[l][B:]
            sigmoid_of_negated(_layer_input_negated(buf, states, Ws, nbs, l, mean))
            bernoulli_grid16(np.multiply(mean, GRID16, out=buf.odd[l]), rng, out=buf.odd[l])


def _dbm_batch_step(state, cfg, buf, lr, rng, norms, optimizer):
    """One joint update on the batch already in ``buf.S[0][:B]``; adds the
    gradient norm of each weight matrix to ``norms``.

    The gradients (of the negative log-likelihood, plus ``weight_decay * W``)
    are formed already multiplied by ``optimizer.grad_scale(lr)`` and handed
    to ``optimizer.update``, as in the RBM loop.
    """
    Ws, bs = state.Ws, state.bs
    L, S, Q = len(Ws), buf.S, buf.Q
    nbs = [-b for b in bs]
    _positive_phase(buf, Ws, nbs, cfg.n_mean_field)
    _negative_phase(buf, Ws, nbs, cfg, rng)
    ascent = -optimizer.grad_scale(lr)  # lr for the SGD family, -1 for the adaptive ones
    step = ascent if ascent else 1.0  # a zero step still measures the gradient
    w = buf.weights
    w[: buf.B] = step / buf.B
    w[buf.B :] = -step / buf.M
    for l in range(L + 1):
        np.matmul(w, S[l], out=buf.db[l])  # step * (mean data - mean model)
        if l > 0:
            np.multiply(S[l], w[:, None], out=Q[l])
            G = np.matmul(S[l - 1].T, Q[l], out=buf.G[l - 1])  # step * weight gradient
            norms[l - 1] += np.linalg.norm(G) / abs(step)
            if not ascent:
                G[...] = 0
            elif cfg.weight_decay:
                G -= np.multiply(Ws[l - 1], ascent * cfg.weight_decay, out=buf.D[l - 1])
    if not ascent:
        for db in buf.db:
            db[...] = 0
    for p, s in zip(state.params(), optimizer.update([*buf.G, *buf.db], state.opt_state, lr)):
        p += s


def dbm_optimizer(cfg, state):
    """The optimizer of ``cfg``; starts ``state.opt_state`` when it has none."""
    optimizer = make_optimizer(cfg.solver, momentum=cfg.momentum)
    if getattr(state, "opt_state", None) is None:
        state.opt_state = optimizer.init(state.params())
    return optimizer


def dbm_epoch(X, state, cfg, rng, lr, optimizer=None):
    """One pass over ``X`` in shuffled minibatches; returns the mean gradient norm per layer."""
    if optimizer is None:
        optimizer = dbm_optimizer(cfg, state)
    n = X.shape[0]
    B = min(cfg.batch_size, n)
    if state.particles is None:
        state.particles = init_particles(X, state.Ws, state.bs, cfg.n_particles, rng)
    M = state.particles[0].shape[0]
    sizes = [state.Ws[0].shape[0]] + [W.shape[1] for W in state.Ws]
    dtype = state.Ws[0].dtype
    bufs = {}
    order = rng.permutation(n)
    norms = np.zeros(len(state.Ws))
    n_batches = 0
    loaded = None
    for start in minibatches(n, B):
        idx = order[start : start + B]
        if idx.size not in bufs:
            bufs[idx.size] = _DBMBuffers(idx.size, M, sizes, dtype, cfg.weight_decay)
        buf = bufs[idx.size]
        if buf is not loaded:
            if loaded is not None:
                loaded.store(state.particles)
            buf.load(state.particles)
            loaded = buf
        if X.dtype == dtype:
            np.take(X, idx, axis=0, out=buf.S[0][: idx.size], mode="clip")
        else:
            buf.S[0][: idx.size] = X[idx]
        if cfg.dynamic_binarization:
            binarize_dynamic(buf.S[0][: idx.size], rng)
        _dbm_batch_step(state, cfg, buf, lr, rng, norms, optimizer)
        n_batches += 1
    if loaded is not None:
        loaded.store(state.particles)
    return list(norms / max(n_batches, 1))


def dbm_monitor(M, n_mean_field, visible):
    """Per-epoch measurements of a DBM on the fixed rows ``M``: the
    reconstruction error ``E[v | h^1 = mu^1]`` (the visible layer only sees
    ``h^1``) and the mean variational bound *before* ``log Z`` is subtracted
    (``bound_plus_log_z``: positive, and not a log-likelihood; ``score`` gives
    the bound itself, with ``log Z`` from AIS), after ``n_mean_field`` sweeps."""

    def monitor(state):
        mus = mean_field(M, state.Ws, state.bs, n_mean_field)
        recon = conditional_mean([M, mus[0]], state.Ws[:1], state.bs[:2], 0, visible)
        bound = variational_bound(M, mus, state.Ws, state.bs, visible)
        return {"reconstruction_error": float(np.mean(np.sum((recon - M) ** 2, axis=1))),
                "bound_plus_log_z": float(bound.mean())}

    return monitor


def train_dbm(X, state, cfg, rng, n_epochs, *, horizon=None, monitor=None, verbose=0):
    """Run ``n_epochs`` of joint training, recording ``state.history``.

    Per epoch: ``seconds``, ``learning_rate``, ``grad_norms`` (mean norm of the
    weight gradient of each layer, input side first) and what ``monitor(state)``
    returns.  Non-finite parameters restore the last finite ones and raise
    :class:`~deepbelief.errors.TrainingDivergedError` (:func:`~deepbelief.training.loop.run_epochs`).
    """

    optimizer = dbm_optimizer(cfg, state)

    def epoch(_, lr):
        return {"grad_norms": dbm_epoch(X, state, cfg, rng, lr, optimizer)}

    run_learner(epoch, state, cfg, n_epochs, name="DBM", fields=("opt_state", "particles"),
                horizon=horizon, monitor=monitor, verbose=verbose, hint="Lower learning_rate.",
                interruptible=True)
    return state


def mean_field_batched(X, Ws, bs, n_iter, rows=2000, tol=0.0):
    """:func:`~deepbelief.math.dbm_energy.mean_field` over ``X`` in chunks of ``rows``."""
    out = [np.empty((X.shape[0], W.shape[1]), dtype=Ws[0].dtype) for W in Ws]
    for start in range(0, X.shape[0], rows):
        mus = mean_field(np.asarray(X[start : start + rows], dtype=Ws[0].dtype), Ws, bs, n_iter,
                         tol=tol)
        for o, m in zip(out, mus):
            o[start : start + rows] = m
    return out

