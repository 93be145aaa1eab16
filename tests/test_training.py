"""The fast CD/PCD loop against the reference math of deepbelief.math.energy."""

import numpy as np
import pytest

from deepbelief.errors import TrainingDivergedError
from deepbelief.math import energy
from deepbelief.math.partition import log_partition_exact
from deepbelief.training.contrastive_divergence import (
    CDConfig,
    CDState,
    cd_epoch,
    train_rbm,
)
from deepbelief.training.optimizers import make_optimizer

from .conftest import ConstantRNG, tiny_rbm


def reference_step(V, W, b, c, vel, cfg, chain, q, u=0.5, z=0.25):
    """CD-k / PCD update written with the pure functions (no buffers).

    ``vel`` is the momentum velocity, or ``(optimizer, state)`` of an adaptive
    optimizer, which gets the gradient of the negative log-likelihood."""
    thr = lambda p: (p > u).astype(p.dtype)

    def mean_h(v):  # doubled bottom-up weights (DBM pretraining) or Gaussian hidden units
        a = cfg.up_scale * (v @ W) + c
        return a if cfg.hidden == "gaussian" else energy.sigmoid(a)

    def sample_h(p):
        return p + z if cfg.hidden == "gaussian" else thr(p)

    start = chain if cfg.persistent else V
    h = sample_h(mean_h(start))
    for step in range(cfg.k):
        m = energy.mean_visibles(cfg.down_scale * h, W, b, cfg.visible)
        if not cfg.persistent and step == cfg.k - 1:
            v_neg = m  # CD's last reconstruction is the mean (Hinton 2010, sec. 3.2)
        else:
            v_neg = thr(m) if cfg.visible == "bernoulli" else m + z
        if step < cfg.k - 1:
            h = sample_h(mean_h(v_neg))
    dW, db, dc = (p - q for p, q in zip(energy.sufficient_statistics(V, mean_h(V)),
                                        energy.sufficient_statistics(v_neg, mean_h(v_neg))))
    lr = cfg.learning_rate
    dW = dW - cfg.weight_decay * W
    if cfg.sparsity_target is not None:
        q = 0.9 * q + 0.1 * mean_h(V).mean(0)
        delta = cfg.sparsity_target - q
        dW = dW + cfg.sparsity_cost * np.outer(V.mean(0), delta)
        dc = dc + cfg.sparsity_cost * delta
    if isinstance(vel, tuple):  # an adaptive optimizer: it takes the loss gradient
        optimizer, opt_state = vel
        steps = optimizer.update([-dW, -db, -dc], opt_state, lr)
        return [p + s for p, s in zip((W, b, c), steps)], vel, v_neg, q
    steps = [lr * dW, lr * db, lr * dc]
    new_vel = [cfg.momentum * v + s for v, s in zip(vel, steps)]
    return [p + v for p, v in zip((W, b, c), new_vel)], new_vel, v_neg, q


@pytest.mark.parametrize(
    "cfg",
    [
        CDConfig(k=1, persistent=False, learning_rate=0.1, batch_size=16),
        CDConfig(k=3, persistent=False, learning_rate=0.05, momentum=0.5, batch_size=16),
        CDConfig(k=1, persistent=True, learning_rate=0.1, weight_decay=0.01, batch_size=16),
        CDConfig(k=2, persistent=True, learning_rate=0.1, momentum=0.9, batch_size=16,
                 sparsity_target=0.1, sparsity_cost=0.5),
        CDConfig(visible="gaussian", k=1, persistent=False, learning_rate=0.01, batch_size=16),
        CDConfig(k=2, persistent=True, learning_rate=0.1, batch_size=16, up_scale=2.0),
        CDConfig(k=1, persistent=False, learning_rate=0.1, batch_size=16, down_scale=2.0),
        CDConfig(k=2, persistent=False, learning_rate=0.01, batch_size=16, hidden="gaussian"),
        CDConfig(visible="gaussian", k=1, persistent=True, learning_rate=0.01, batch_size=16,
                 up_scale=2.0, momentum=0.5),
    ],
    ids=["cd1", "cd3-momentum", "pcd1-decay", "pcd2-sparsity", "gaussian-cd1",
         "pcd2-doubled-up", "cd1-doubled-down", "cd2-gaussian-hidden", "gaussian-pcd-doubled-up"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_loop_matches_reference(cfg, dtype):
    W, b, c = tiny_rbm(10, 6, seed=11, dtype=dtype)
    rng = np.random.default_rng(12)
    X = ((rng.random((32, 10)) < 0.4) * 1.0).astype(dtype)
    if cfg.visible == "gaussian":
        X = rng.normal(size=(32, 10)).astype(dtype)
    state = CDState(W.copy(), b.copy(), c.copy())
    const = ConstantRNG()
    params, vel = [W, b, c], [np.zeros_like(W), np.zeros_like(b), np.zeros_like(c)]
    chain = X[:16].copy()  # ConstantRNG.choice picks rows 0..15 for the chains
    q = cfg.sparsity_target
    for start in (0, 16):  # one epoch = two batches of 16, in order
        params, vel, v_neg, q = reference_step(X[start : start + 16], *params, vel, cfg, chain, q)
        chain = v_neg
    cd_epoch(X, state, cfg, const, cfg.learning_rate)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    for got, want in zip(state.params(), params):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, **tol)
    if cfg.persistent:
        np.testing.assert_allclose(state.chain, chain, **tol)


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "adagrad"])
@pytest.mark.parametrize("persistent", [False, True])
def test_fast_loop_with_an_adaptive_optimizer_matches_reference(solver, persistent):
    """The CD gradient reaches any optimizer of deepbelief.training.optimizers unchanged."""
    cfg = CDConfig(k=1, persistent=persistent, learning_rate=0.01, batch_size=16, solver=solver,
                   weight_decay=0.01, sparsity_target=0.2 if persistent else None)
    W, b, c = tiny_rbm(10, 6, seed=11)
    X = ((np.random.default_rng(12).random((32, 10)) < 0.4) * 1.0)
    state = CDState(W.copy(), b.copy(), c.copy())
    opt = make_optimizer(solver)
    params, vel = [W, b, c], (opt, opt.init([W, b, c]))
    chain, q = X[:16].copy(), cfg.sparsity_target
    for _ in range(2):  # two epochs: the optimizer state carries over
        for start in (0, 16):
            params, vel, v_neg, q = reference_step(X[start : start + 16], *params, vel, cfg,
                                                   chain, q)
            chain = v_neg
        cd_epoch(X, state, cfg, ConstantRNG(), cfg.learning_rate)
    for got, want in zip(state.params(), params):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert not np.allclose(state.W, W)


def test_last_partial_batch_is_used():
    cfg = CDConfig(k=1, persistent=True, learning_rate=0.1, batch_size=16)
    W, b, c = tiny_rbm(10, 6, seed=1)
    X = (np.random.default_rng(0).random((40, 10)) < 0.5) * 1.0
    full = CDState(W.copy(), b.copy(), c.copy())
    cd_epoch(X, full, cfg, ConstantRNG(), 0.1)
    cut = CDState(W.copy(), b.copy(), c.copy())
    cd_epoch(X[:32], cut, cfg, ConstantRNG(), 0.1)
    assert not np.allclose(full.W, cut.W)  # the 8 last rows changed the weights


@pytest.mark.parametrize("solver, lr", [("momentum", 0.1), ("adam", 0.01), ("nesterov", 0.1),
                                        ("rmsprop", 0.01)])
def test_training_increases_exact_likelihood(solver, lr):
    rng = np.random.default_rng(0)
    protos = (rng.random((3, 12)) < 0.5) * 1.0
    X = np.abs(protos[rng.integers(0, 3, 600)] - (rng.random((600, 12)) < 0.05))
    W, b, c = tiny_rbm(12, 8, scale=0.01, seed=1)
    b[:] = 0
    state = CDState(W, b, c)

    def ll():
        return np.mean(-energy.free_energy(X, *state.params())) - log_partition_exact(*state.params())

    before = ll()
    train_rbm(X, state, CDConfig(k=1, persistent=False, learning_rate=lr, batch_size=20,
                                 solver=solver, momentum=0.5), rng, 30)
    after = ll()
    # independent units at best reach sum of marginal entropies; 3 prototypes need less
    marg = X.mean(0).clip(1e-6, 1 - 1e-6)
    independent = np.sum(marg * np.log(marg) + (1 - marg) * np.log(1 - marg))
    assert after > before + 2
    assert after > independent + 1
    assert len(state.history["seconds"]) == 30 and state.epoch == 30


def test_divergence_raises_and_keeps_finite_parameters():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 20)) * 50
    W, b, c = tiny_rbm(20, 10, scale=0.01)
    state = CDState(W, b, c)
    cfg = CDConfig(visible="gaussian", k=1, persistent=False, learning_rate=50.0, batch_size=10)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        train_rbm(X, state, cfg, rng, 20)
    assert all(np.isfinite(p).all() for p in state.params())


def test_dynamic_binarization_presents_fresh_binary_draws(monkeypatch):
    import deepbelief.training.contrastive_divergence as training

    seen = []
    step = training._batch_step

    def spy(state, cfg, buf, lr, rng, optimizer):
        seen.append(buf.V2[: buf.V2.shape[0] // 2].copy())  # [v_data; v_model]
        return step(state, cfg, buf, lr, rng, optimizer)

    monkeypatch.setattr(training, "_batch_step", spy)
    X = np.full((50, 8), 0.3)
    X[:, :2] = (0.0, 1.0)
    W, b, c = tiny_rbm(8, 4, seed=0)
    cfg = CDConfig(persistent=False, learning_rate=0.01, batch_size=50, dynamic_binarization=True)
    state = CDState(W, b, c)
    train_rbm(X, state, cfg, np.random.default_rng(0), 40)
    V = np.stack(seen)  # (epochs, 50, 8)
    assert set(np.unique(V)) == {0.0, 1.0}
    assert np.all(V[:, :, 0] == 0) and np.all(V[:, :, 1] == 1)
    frac = V[:, :, 2:].mean()  # 40 * 50 * 6 draws of Bernoulli(0.3)
    assert abs(frac - 0.3) < 5 * np.sqrt(0.21 / V[:, :, 2:].size)
    assert not np.array_equal(V[0], V[1])  # a fresh draw every epoch
    np.testing.assert_array_equal(X[:, 2:], 0.3)  # the data are left alone

    seen.clear()
    train_rbm(X, CDState(W, b, c), CDConfig(persistent=False, batch_size=50),
              np.random.default_rng(0), 1)
    np.testing.assert_array_equal(seen[0], X)  # off: the data as given
