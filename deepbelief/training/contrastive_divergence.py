"""Minibatch training loop of one RBM: CD-k and persistent CD (PCD).

The loop is written for speed: per-batch buffers are allocated once per epoch
and reused through ``out=``; the sigmoid is the in-place exp form; Bernoulli
draws compare 16-bit uniform integers with ``2**16 p`` straight out of the
sigmoid (:func:`deepbelief.math.energy.bernoulli_grid16`); the weight gradient of the positive
and the negative phase is one BLAS product ``[v; v'].T @ [h; -h']`` with the step
size folded into ``h``, and the bias gradients are two BLAS vector products.
Every product goes through numpy's BLAS: mixing in scipy's (a second OpenBLAS
thread pool) makes the two pools spin against each other and doubled the epoch
time on 2 cores.  The math is that of :mod:`deepbelief.math.energy`
(``cd_gradient``), which the tests hold it to.
"""

from dataclasses import dataclass, field

import numpy as np

from ..kernels.numpy_kernels import affine_sigmoid
from ..math.ais import base_visible_bias
from ..math.energy import (
    GRID16,
    bernoulli_grid16,
    binarize_dynamic,
    free_energy,
    pseudo_log_likelihood,
    reconstruction_error,
)
from ..math.units import visible_units
from .loop import run_learner
from .optimizers import make_optimizer
from .progress import minibatches


@dataclass
class CDConfig:
    """Hyper-parameters of CD-k / PCD training (see :class:`deepbelief.RBM`)."""

    visible: str = "bernoulli"
    # the group sizes of categorical visible units (deepbelief.math.units)
    visible_groups: tuple | None = None
    k: int = 1
    persistent: bool = True
    learning_rate: float = 0.1
    learning_rate_schedule: str = "constant"
    # the optimizer (deepbelief.training.optimizers): "momentum" with momentum 0 is plain SGD
    solver: str = "momentum"
    momentum: float = 0.0
    weight_decay: float = 0.0
    sparsity_target: float | None = None
    sparsity_cost: float = 0.1
    batch_size: int = 10
    # DBM pretraining (Salakhutdinov & Hinton 2009): weights doubled in the
    # bottom-up (P(h|v)) or top-down (P(v|h)) conditional
    up_scale: float = 1.0
    down_scale: float = 1.0
    # "gaussian": linear hidden units with unit-variance noise (the code layer of
    # Hinton & Salakhutdinov's 2006 deep autoencoder); its statistics use the mean
    hidden: str = "bernoulli"
    # each minibatch a fresh draw x ~ Bernoulli(X) (energy.binarize_dynamic)
    dynamic_binarization: bool = False


@dataclass
class CDState:
    """State that survives between epochs: parameters, optimizer state, chains."""

    W: np.ndarray  # (n_visible, n_hidden)
    b: np.ndarray  # (n_visible,)
    c: np.ndarray  # (n_hidden,)
    opt_state: dict = None  # the optimizer's state over (W, b, c); None: not started
    chain: np.ndarray = None  # persistent fantasy particles (batch_size, n_visible)
    q: np.ndarray = None  # running mean of hidden activations (sparsity)
    epoch: int = 0
    history: dict = field(default_factory=dict)

    def params(self):
        return self.W, self.b, self.c

    @classmethod
    def resume(cls, W, b, c, saved, optimizer, history):
        """The state a fit continues from: ``saved`` is a :meth:`checkpoint`.

        The optimizer state is kept only for the same ``optimizer`` (a
        ``(solver, momentum)`` pair); another one starts afresh.  Pickles of
        0.1 kept momentum velocities under ``vW``, ``vb``, ``vc``.
        """
        if "vW" in saved:
            opt_state = {"velocity": [saved["vW"], saved["vb"], saved["vc"]]}
        else:
            opt_state = saved.get("opt_state") if saved.get("optimizer") == optimizer else None
        return cls(W, b, c, opt_state=opt_state, chain=saved.get("chain"), q=saved.get("q"),
                   epoch=saved.get("epoch", 0), history=history)

    def checkpoint(self, optimizer):
        """What survives between fits besides the parameters (see :meth:`resume`)."""
        return {"opt_state": self.opt_state, "optimizer": optimizer, "chain": self.chain,
                "q": self.q, "epoch": self.epoch}


def init_cd_state(n_hidden, data_mean, visible, rng, dtype):
    """A fresh RBM: weights ``N(0, 0.01^2)``, visible biases giving the data's
    marginals (:func:`~deepbelief.math.ais.base_visible_bias`, Hinton 2010),
    zero hidden biases."""
    W = rng.standard_normal((data_mean.shape[0], n_hidden), dtype=dtype)
    W *= 0.01
    b = base_visible_bias(data_mean, visible).astype(dtype)
    return CDState(W, b, np.zeros(n_hidden, dtype=dtype))


def cd_monitor(M, units, features=None):
    """Per-epoch measurements of an RBM on the fixed rows ``M``.

    The mean-field reconstruction error and mean free energy; with
    ``features`` (one feature index per row, Bernoulli units) the one-bit
    pseudo-log-likelihood estimate.
    """

    def monitor(state):
        W, b, c = state.params()
        out = {
            "reconstruction_error": reconstruction_error(M, W, b, c, units),
            "free_energy": float(free_energy(M, W, b, c, units).mean()),
        }
        if features is not None:
            pll = pseudo_log_likelihood(M, W, b, c, features=features)
            out["pseudo_log_likelihood"] = float(pll.mean())
        return out

    return monitor


#: rows of the training data the per-epoch figures of a stacked RBM are measured on
MONITOR_ROWS = 1000


def reconstruction_monitor(X, visible="bernoulli", hidden="bernoulli", up=1.0, down=1.0):
    """The per-epoch reconstruction error of a stacked RBM (the layers of a
    DBM, whose weights count ``up`` times bottom-up and ``down`` times
    top-down; the autoencoder's RBMs), on the first ``MONITOR_ROWS`` rows of
    ``X``: no random draw, so monitoring leaves training unchanged."""
    M = X[:MONITOR_ROWS]
    M = M.toarray() if hasattr(M, "toarray") else np.asarray(M)

    def monitor(state):
        W, b, c = state.params()
        return {"reconstruction_error": reconstruction_error(M, W, b, c, visible, hidden, up,
                                                             down)}

    return monitor


class _Buffers:
    """Work arrays for one batch size."""

    def __init__(self, B, D, H, dtype, weight_decay=0.0):
        self.V2 = np.empty((2 * B, D), dtype=dtype)  # [v_data; v_model]
        self.H2 = np.empty((2 * B, H), dtype=dtype)  # [P(h|v_data); -P(h|v_model)]
        self.Hs = np.empty((B, H), dtype=dtype)  # hidden samples
        self.Uh = np.empty((B, H), dtype=dtype)  # Gaussian hidden noise
        self.Ud = np.empty((B, D), dtype=dtype)  # Gaussian visible noise
        self.G = np.empty((D, H), dtype=dtype)  # weight step
        # bias gradients as BLAS products: sign @ [v; v'] and ones @ [h; -h']
        self.sign = np.concatenate([np.ones(B, dtype), -np.ones(B, dtype)])
        self.ones = np.ones(2 * B, dtype)
        self.db = np.empty(D, dtype=dtype)
        self.dc = np.empty(H, dtype=dtype)
        self.T = np.empty((D, H), dtype=dtype) if weight_decay else None


def _batch_step(state, cfg, buf, lr, rng, optimizer):
    """One CD-k/PCD update on the rows already copied into ``buf.V2[:B]``.

    The gradient of the negative log-likelihood (the CD estimate, plus the
    weight decay's ``weight_decay * W``) is computed already multiplied by
    ``optimizer.grad_scale(lr)`` (``-lr`` for the SGD family, so that the step
    size rides in the small hidden arrays instead of a pass over ``W``) and
    handed to ``optimizer.update``, which returns the steps.
    """
    W, b, c = state.W, state.b, state.c
    B = buf.Hs.shape[0]
    V2, H2, Hs, Ud, Uh = buf.V2, buf.H2, buf.Hs, buf.Ud, buf.Uh
    dtype = W.dtype
    vpos, vneg = V2[:B], V2[B:]
    ppos, pneg = H2[:B], H2[B:]
    ascent = -optimizer.grad_scale(lr)  # lr for the SGD family, -1 for the adaptive ones
    alpha = ascent / B
    neg_c = -c
    up, down = cfg.up_scale, cfg.down_scale
    gaussian_h = cfg.hidden == "gaussian"

    def hidden_mean(A, scale=1.0):
        if gaussian_h:
            if up != 1.0:
                A *= up
            A -= neg_c
            if scale != 1.0:
                A *= scale
            return A
        return affine_sigmoid(A, neg_c, scale, up)

    # Bernoulli draws compare 16-bit uniform integers with 2**16 * p, which the
    # sigmoid's last pass produces for free (energy.bernoulli_grid16)
    def sample_hidden(A):
        """In place: A (a hidden input) becomes a sample of h given it."""
        if gaussian_h:
            hidden_mean(A)
            A += rng.standard_normal(out=Uh, dtype=dtype)
            return A
        return bernoulli_grid16(hidden_mean(A, GRID16), rng, out=A)

    # positive phase: P(h | v_data), kept as 2**16 P (Bernoulli hidden units) until
    # CD has drawn its first hidden sample from it
    pscale = 1.0 if gaussian_h else GRID16
    np.matmul(vpos, W, out=ppos)
    hidden_mean(ppos, pscale)
    # start of the negative chain: the data (CD) or the fantasy particles (PCD),
    # which live in vneg between batches
    if cfg.persistent:
        np.matmul(vneg, W, out=Hs)
        sample_hidden(Hs)
    elif gaussian_h:
        np.add(ppos, rng.standard_normal(out=Uh, dtype=dtype), out=Hs)
    else:
        bernoulli_grid16(ppos, rng, out=Hs)
    for step in range(cfg.k):
        np.matmul(Hs, W.T, out=vneg)
        # the last reconstruction of CD-k is the mean E[v | h] (Hinton 2010, sec. 3.2);
        # PCD samples: vneg is its persistent chain
        sample = cfg.persistent or step < cfg.k - 1
        if cfg.visible == "bernoulli":
            if sample:
                affine_sigmoid(vneg, -b, GRID16, down)
                bernoulli_grid16(vneg, rng, out=vneg)
            else:
                affine_sigmoid(vneg, -b, 1.0, down)
        elif cfg.visible != "gaussian":  # another type of the registry (categorical)
            units = buf.units
            if down != 1.0:
                vneg *= down
            vneg += b
            mean = units.mean(vneg)
            if sample:
                units.sample(mean, rng, out=vneg)
            elif mean is not vneg:
                vneg[...] = mean
        else:
            if down != 1.0:
                vneg *= down
            vneg += b
            if sample:
                rng.standard_normal(out=Ud, dtype=dtype)
                vneg += Ud
        if step < cfg.k - 1:
            np.matmul(vneg, W, out=Hs)
            sample_hidden(Hs)
        else:
            np.matmul(vneg, W, out=pneg)
    hidden_mean(pneg, scale=-alpha)  # -alpha * P(h | v_model)
    if cfg.sparsity_target is not None:
        # Hinton (2010), sec. 11: pull the running mean q of P(h|v) to the target.
        state.q *= 0.9
        state.q += (0.1 / pscale) * ppos.mean(axis=0)
        delta = (cfg.sparsity_target - state.q).astype(dtype)
    ppos *= alpha / pscale
    # alpha * gradient: [v; v'].T @ [h; -h'] in one product
    G = np.matmul(V2.T, H2, out=buf.G)
    db = np.matmul(buf.sign, V2, out=buf.db)  # sum(v) - sum(v')
    db *= alpha
    dc = np.matmul(buf.ones, H2, out=buf.dc)
    if cfg.weight_decay:
        G -= np.multiply(W, ascent * cfg.weight_decay, out=buf.T)
    if cfg.sparsity_target is not None:
        G += np.outer(vpos.mean(axis=0), (ascent * cfg.sparsity_cost) * delta)
        dc += (ascent * cfg.sparsity_cost) * delta
    for p, step in zip((W, b, c), optimizer.update([G, db, dc], state.opt_state, lr)):
        p += step


def rbm_optimizer(cfg, state):
    """The optimizer of ``cfg``; starts ``state.opt_state`` when it has none."""
    optimizer = make_optimizer(cfg.solver, momentum=cfg.momentum)
    if state.opt_state is None:
        state.opt_state = optimizer.init(list(state.params()))
    return optimizer


def cd_epoch(X, state, cfg, rng, lr, optimizer=None):
    """One pass of CD-k / PCD over ``X`` (dense or CSR) in shuffled minibatches."""
    if optimizer is None:
        optimizer = rbm_optimizer(cfg, state)
    n, D = X.shape
    H = state.W.shape[1]
    dtype = state.W.dtype
    B = min(cfg.batch_size, n)
    full = _Buffers(B, D, H, dtype, cfg.weight_decay)
    # the registry entry of a visible type without a kernel here, built once per epoch
    full.units = (None if cfg.visible in ("bernoulli", "gaussian")
                  else visible_units(cfg.visible, D, cfg.visible_groups))
    if cfg.persistent:
        if state.chain is None or state.chain.shape != (B, D):
            init = X[rng.choice(n, B, replace=n < B)]
            state.chain = np.asarray(init.toarray() if hasattr(init, "toarray") else init, dtype)
        full.V2[B:] = state.chain
    if cfg.sparsity_target is not None and state.q is None:
        state.q = np.full(H, cfg.sparsity_target, dtype=np.float64)
    sparse = hasattr(X, "toarray")
    order = rng.permutation(n)
    partial = None
    for start in minibatches(n, B):
        idx = order[start : start + B]
        if idx.size == B:
            buf = full
        else:
            if partial is None:
                partial = _Buffers(idx.size, D, H, dtype, cfg.weight_decay)
                partial.units = full.units
            buf = partial
            if cfg.persistent:
                buf.V2[idx.size :] = full.V2[B : B + idx.size]
        vpos = buf.V2[: idx.size]
        if sparse:
            vpos[...] = X[idx].toarray()
        else:
            np.take(X, idx, axis=0, out=vpos, mode="clip")  # "raise" would buffer a copy
        if cfg.dynamic_binarization:
            binarize_dynamic(vpos, rng)
        _batch_step(state, cfg, buf, lr, rng, optimizer)
        if buf is partial and cfg.persistent:
            full.V2[B : B + idx.size] = buf.V2[idx.size :]
    if cfg.persistent:
        state.chain[...] = full.V2[B:]


def train_rbm(X, state, cfg, rng, n_epochs, *, horizon=None, monitor=None, verbose=0):
    """Run ``n_epochs`` epochs of CD/PCD, recording ``state.history``.

    ``horizon`` is the epoch count the learning-rate schedule decays over
    (default ``n_epochs``).  ``monitor(state)`` returns a dict of per-epoch
    figures (reconstruction error, pseudo-log-likelihood, ...).  Non-finite
    parameters restore the last finite ones and raise
    :class:`~deepbelief.errors.TrainingDivergedError` (:func:`~deepbelief.training.loop.run_epochs`).
    """

    optimizer = rbm_optimizer(cfg, state)

    def epoch(_, lr):
        cd_epoch(X, state, cfg, rng, lr, optimizer)
        return {}

    run_learner(epoch, state, cfg, n_epochs, name="RBM", fields=("opt_state", "chain", "q"),
                horizon=horizon, monitor=monitor, verbose=verbose,
                hint="Lower learning_rate (Gaussian visible units need ~10-100x smaller "
                     "rates than Bernoulli ones, and standardized data).")
    return state
