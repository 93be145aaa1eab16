"""DBM math against brute force: energy, log Z, log p*(v), mean field, AIS, Gibbs, training."""

import itertools

import numpy as np
import pytest
from scipy.stats import chisquare

from deepbelief.math import dbm_energy as de
from deepbelief.math.ais import dbm_ais_log_partition
from deepbelief.math.energy import all_binary_states
from deepbelief.training.contrastive_divergence import CDState
from deepbelief.training.dbm_learning import (
    DBMConfig,
    DBMState,
    compose_dbm,
    dbm_epoch,
    dbm_gradient,
    init_particles,
    train_dbm,
)
from deepbelief.training.optimizers import make_optimizer

from .conftest import ConstantRNG


def tiny_dbm(sizes, scale=0.7, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(0, scale, (a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0, 0.5, n).astype(dtype) for n in sizes]
    return Ws, bs


def brute_force_log_pstar(Ws, bs):
    """log p*(v) for every binary v by summing exp(-E) over every joint state."""
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    hidden = [all_binary_states(n) for n in sizes[1:]]
    V = all_binary_states(sizes[0])
    out = []
    for v in V:
        terms = [-de.dbm_energy([v[None], *[h[None] for h in hs]], Ws, bs)[0]
                 for hs in itertools.product(*hidden)]
        out.append(np.logaddexp.reduce(terms))
    return V, np.array(out)


def test_energy_matches_definition():
    Ws, bs = tiny_dbm([4, 3, 2])
    rng = np.random.default_rng(1)
    layers = [(rng.random((5, n)) < 0.5) * 1.0 for n in (4, 3, 2)]
    v, h1, h2 = layers
    want = -(v @ bs[0] + h1 @ bs[1] + h2 @ bs[2]
             + np.einsum("ni,ij,nj->n", v, Ws[0], h1) + np.einsum("ni,ij,nj->n", h1, Ws[1], h2))
    np.testing.assert_allclose(de.dbm_energy(layers, Ws, bs), want)


@pytest.mark.parametrize("sizes", [[5, 4, 3], [4, 3, 3, 2], [3, 2, 2, 2, 2]])
def test_exact_log_partition_and_log_pstar_by_joint_enumeration(sizes):
    Ws, bs = tiny_dbm(sizes, seed=len(sizes))
    V, log_pstar = brute_force_log_pstar(Ws, bs)
    np.testing.assert_allclose(de.log_unnormalized_exact(V, Ws, bs), log_pstar, rtol=1e-12)
    assert de.log_partition_exact(Ws, bs) == pytest.approx(np.logaddexp.reduce(log_pstar),
                                                           rel=1e-12)


def test_exact_log_partition_gaussian_by_numerical_integration():
    Ws, bs = tiny_dbm([2, 3, 2], scale=0.5, seed=3)
    grid = np.linspace(-12, 12, 481)
    step = grid[1] - grid[0]
    V = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
    H1, H2 = all_binary_states(3), all_binary_states(2)
    terms = [-de.dbm_energy([V, np.tile(h1, (len(V), 1)), np.tile(h2, (len(V), 1))], Ws, bs,
                            "gaussian") for h1 in H1 for h2 in H2]
    log_z = np.logaddexp.reduce(np.logaddexp.reduce(terms, axis=0)) + 2 * np.log(step)
    assert de.log_partition_exact(Ws, bs, "gaussian") == pytest.approx(log_z, abs=1e-6)


@pytest.mark.parametrize("sizes", [[6, 4, 3], [5, 3, 4, 2]])
def test_mean_field_bound_is_below_and_close_to_exact(sizes):
    Ws, bs = tiny_dbm(sizes, scale=0.5, seed=7)
    V = all_binary_states(sizes[0])
    exact = de.log_unnormalized_exact(V, Ws, bs)
    mus = de.mean_field(V, Ws, bs, n_iter=50)
    bound = de.variational_bound(V, mus, Ws, bs)
    assert np.all(bound <= exact + 1e-10)
    assert np.mean(exact - bound) < 0.5  # nats; posteriors of weakly coupled layers


def test_mean_field_is_a_fixed_point_and_the_bound_grows():
    Ws, bs = tiny_dbm([6, 5, 4, 3], scale=0.8, seed=8)
    V = all_binary_states(6)
    bounds = [de.variational_bound(V, de.mean_field(V, Ws, bs, n_iter=k), Ws, bs)
              for k in range(8)]
    for a, b in zip(bounds[:-1], bounds[1:]):
        assert np.all(b >= a - 1e-10)  # coordinate ascent never lowers the bound
    mus = de.mean_field(V, Ws, bs, n_iter=200)
    layers = [V, *mus]
    for layer in range(1, 4):
        np.testing.assert_allclose(de.conditional_mean(layers, Ws, bs, layer), mus[layer - 1],
                                   atol=1e-8)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("sizes", [[8, 5, 4], [6, 4, 4, 3]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ais_within_a_tenth_of_a_nat(visible, sizes, dtype):
    Ws, bs = tiny_dbm(sizes, scale=0.5, seed=9, dtype=dtype)
    exact = de.log_partition_exact(Ws, bs, visible)
    res = dbm_ais_log_partition(Ws, bs, visible, n_chains=200, betas=3000, rng=0)
    assert res.log_z == pytest.approx(exact, abs=0.1)
    assert res.log_z_low <= res.log_z <= res.log_z_high


def test_ais_with_a_hidden_base_model():
    Ws, bs = tiny_dbm([8, 5, 6], scale=0.5, seed=4)
    exact = de.log_partition_exact(Ws, bs)
    base = {2: np.random.default_rng(0).normal(0, 1.0, 6)}
    res = dbm_ais_log_partition(Ws, bs, n_chains=200, betas=3000, rng=0, base_hidden=base)
    assert res.log_z == pytest.approx(exact, abs=0.1)
    with pytest.raises(ValueError, match="base_hidden"):
        dbm_ais_log_partition(Ws, bs, betas=10, base_hidden={1: np.zeros(5)})


def test_block_gibbs_samples_the_model_distribution():
    """Visible histogram of many block-Gibbs chains against the exact p(v) (chi-square)."""
    Ws, bs = tiny_dbm([3, 3, 2], scale=1.0, seed=10)
    V, log_pstar = brute_force_log_pstar(Ws, bs)
    p = np.exp(log_pstar - np.logaddexp.reduce(log_pstar))
    rng = np.random.default_rng(11)
    n = 4000
    layers = [(rng.random((n, k)) < 0.5) * 1.0 for k in (3, 3, 2)]
    for _ in range(50):
        de.gibbs_sweep(layers, Ws, bs, rng)
    codes = (layers[0] @ (1 << np.arange(3))).astype(int)  # little-endian, as all_binary_states
    counts = np.bincount(codes, minlength=8)
    assert chisquare(counts, p * n).pvalue > 1e-4


def test_gibbs_sampler_detects_a_wrong_distribution():
    """The chi-square test above has power: a model with other weights fails it."""
    Ws, bs = tiny_dbm([3, 3, 2], scale=1.0, seed=10)
    V, log_pstar = brute_force_log_pstar(Ws, bs)
    p = np.exp(log_pstar - np.logaddexp.reduce(log_pstar))
    rng = np.random.default_rng(11)
    wrong = [W * 0.5 for W in Ws]
    layers = [(rng.random((4000, k)) < 0.5) * 1.0 for k in (3, 3, 2)]
    for _ in range(50):
        de.gibbs_sweep(layers, wrong, bs, rng)
    counts = np.bincount((layers[0] @ (1 << np.arange(3))).astype(int), minlength=8)
    assert chisquare(counts, p * 4000).pvalue < 1e-4


def exact_model_statistics(Ws, bs):
    """E[h^{l-1} h^l^T] and E[h^l] under the model, by joint enumeration."""
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    states = list(itertools.product(*[all_binary_states(n) for n in sizes]))
    logp = np.array([-de.dbm_energy([s[None] for s in st], Ws, bs)[0] for st in states])
    p = np.exp(logp - np.logaddexp.reduce(logp))
    pair = [sum(pi * np.outer(st[l], st[l + 1]) for pi, st in zip(p, states))
            for l in range(len(Ws))]
    means = [sum(pi * st[l] for pi, st in zip(p, states)) for l in range(len(sizes))]
    return pair, means


def test_gradient_model_term_matches_exact_statistics():
    """With particles at equilibrium, the negative phase estimates the exact model moments."""
    Ws, bs = tiny_dbm([3, 3, 2], scale=0.8, seed=12)
    pair, means = exact_model_statistics(Ws, bs)
    rng = np.random.default_rng(13)
    n = 20000
    particles = [(rng.random((n, k)) < 0.5) * 1.0 for k in (3, 3, 2)]
    for _ in range(30):
        de.gibbs_sweep(particles, Ws, bs, rng)
    state = DBMState([W.copy() for W in Ws], [b.copy() for b in bs], particles=particles)
    # all-zero data: the data term is then the mean-field means of v = 0
    V = np.zeros((1, 3))
    pos = [V, *de.mean_field(V, Ws, bs, 30)]
    gWs, gbs = dbm_gradient(V, state, DBMConfig(n_mean_field=30), rng)
    for l in range(2):
        model = np.outer(pos[l][0], pos[l + 1][0]) - gWs[l]
        np.testing.assert_allclose(model, pair[l], atol=0.02)  # se ~ 0.5 / sqrt(2e4)
    for l in range(3):
        np.testing.assert_allclose(pos[l][0] - gbs[l], means[l], atol=0.02)


def test_joint_training_raises_the_exact_likelihood():
    rng = np.random.default_rng(0)
    protos = (rng.random((3, 8)) < 0.5) * 1.0
    X = np.abs(protos[rng.integers(0, 3, 600)] - (rng.random((600, 8)) < 0.05))
    Ws, bs = tiny_dbm([8, 6, 4], scale=0.01, seed=1)
    bs = [np.zeros_like(b) for b in bs]
    state = DBMState(Ws, bs)

    def ll():
        return np.mean(de.log_unnormalized_exact(X, state.Ws, state.bs)) - de.log_partition_exact(
            state.Ws, state.bs)

    before = ll()
    cfg = DBMConfig(learning_rate=0.05, learning_rate_schedule="constant", batch_size=20,
                    n_particles=50, weight_decay=0.0)
    train_dbm(X, state, cfg, rng, 30)
    assert ll() > before + 2
    assert len(state.history["grad_norms"]) == 30 and len(state.history["grad_norms"][0]) == 2


def test_compose_doubles_and_halves_as_the_paper():
    rng = np.random.default_rng(0)
    sizes = [5, 4, 3, 2]
    rbms = [CDState(rng.normal(size=(a, b)), rng.normal(size=a), rng.normal(size=b))
            for a, b in zip(sizes[:-1], sizes[1:])]
    Ws, bs = compose_dbm(rbms)
    np.testing.assert_array_equal(Ws[0], rbms[0].W)
    np.testing.assert_array_equal(Ws[1], 0.5 * rbms[1].W)  # intermediate: halved
    np.testing.assert_array_equal(Ws[2], rbms[2].W)
    np.testing.assert_array_equal(bs[0], rbms[0].b)
    np.testing.assert_allclose(bs[1], 0.5 * (rbms[0].c + rbms[1].b))
    np.testing.assert_array_equal(bs[3], rbms[2].c)


def reference_dbm_epoch(X, state, cfg, rng, lr):
    """One epoch written with the pure functions: dbm_gradient, then the momentum step."""
    if state.particles is None:
        state.particles = init_particles(X, state.Ws, state.bs, cfg.n_particles, rng)
    n, B = X.shape[0], cfg.batch_size
    order = rng.permutation(n)
    norms = np.zeros(len(state.Ws))
    L = len(state.Ws)
    velocity = state.opt_state["velocity"]
    for start in range(0, n, B):
        gWs, gbs = dbm_gradient(X[order[start : start + B]], state, cfg, rng)
        norms += [np.linalg.norm(g) for g in gWs]
        for W, vW, g in zip(state.Ws, velocity[:L], gWs):
            vW *= cfg.momentum
            vW += lr * (g - cfg.weight_decay * W)
            W += vW
        for b, vb, g in zip(state.bs, velocity[L:], gbs):
            vb *= cfg.momentum
            vb += lr * g
            b += vb
    return list(norms / -(-n // B))


@pytest.mark.parametrize("solver", ["adam", "nesterov"])
def test_fast_epoch_with_any_optimizer_matches_reference(solver):
    """The joint gradient reaches any optimizer of deepbelief.training.optimizers unchanged."""
    cfg = DBMConfig(batch_size=10, n_particles=10, n_mean_field=3, solver=solver, momentum=0.5,
                    weight_decay=0.01)
    Ws, bs = tiny_dbm([12, 8, 6], scale=0.5, seed=3)
    X = (np.random.default_rng(4).random((40, 12)) < 0.4) * 1.0
    opt = make_optimizer(solver, momentum=0.5)
    ref = DBMState([W.copy() for W in Ws], [b.copy() for b in bs])
    fast = DBMState([W.copy() for W in Ws], [b.copy() for b in bs])
    ref_state = opt.init(ref.params())
    rng = ConstantRNG()
    ref.particles = init_particles(X, ref.Ws, ref.bs, cfg.n_particles, rng)
    for _ in range(2):
        for start in range(0, 40, 10):
            gWs, gbs = dbm_gradient(X[start : start + 10], ref, cfg, rng)
            # the optimizer contract: gradients of the loss times grad_scale(lr)
            scale = -opt.grad_scale(0.01)
            grads = ([scale * (g - cfg.weight_decay * W) for g, W in zip(gWs, ref.Ws)]
                     + [scale * g for g in gbs])
            for p, step in zip(ref.params(), opt.update(grads, ref_state, 0.01)):
                p += step
        dbm_epoch(X, fast, cfg, ConstantRNG(), 0.01)
    for g, w in zip([*fast.params(), *fast.particles], [*ref.params(), *ref.particles]):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-11)
    assert not np.allclose(fast.Ws[0], Ws[0])


@pytest.mark.parametrize(
    "sizes, cfg, lr",
    [
        ([12, 8, 6], DBMConfig(batch_size=10, n_particles=10, n_mean_field=5), 0.05),
        ([12, 8, 6, 4], DBMConfig(batch_size=16, n_particles=7, n_mean_field=3, n_gibbs=2,
                                  momentum=0.9, weight_decay=0.01), 0.1),
        ([12, 8, 6, 4, 3], DBMConfig(batch_size=15, n_particles=10, n_mean_field=4), 0.05),
        ([12, 8], DBMConfig(batch_size=10, n_particles=10, n_mean_field=2), 0.05),
        ([12, 8, 6], DBMConfig(visible="gaussian", batch_size=10, n_particles=10,
                               n_mean_field=5), 0.01),
        ([12, 8, 6], DBMConfig(batch_size=10, n_particles=10, momentum=0.5), 0.0),
    ],
    ids=["2-layer", "3-layer-momentum-decay-partial", "4-layer", "1-layer", "gaussian",
         "zero-step"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_epoch_matches_reference(sizes, cfg, lr, dtype):
    """The buffered epoch computes what the pure functions compute, draw for draw."""
    Ws, bs = tiny_dbm(sizes, scale=0.5, seed=3, dtype=dtype)
    rng = np.random.default_rng(4)
    X = (rng.random((40, sizes[0])) < 0.4).astype(dtype)
    if cfg.visible == "gaussian":
        X = rng.normal(size=(40, sizes[0])).astype(dtype)
    states = []
    for epoch in (reference_dbm_epoch, dbm_epoch):
        state = DBMState([W.copy() for W in Ws], [b.copy() for b in bs])
        # a moving start: momentum is used
        state.opt_state = {"velocity": [np.full_like(W, 0.01) for W in Ws]
                           + [np.full_like(b, -0.01) for b in bs]}
        norms = [epoch(X, state, cfg, ConstantRNG(), lr) for _ in range(2)]
        states.append((state, norms))
    (want, want_norms), (got, got_norms) = states
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)
    for g, w in zip([*got.params(), *got.particles], [*want.params(), *want.particles]):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, w, **tol)
    np.testing.assert_allclose(got_norms, want_norms, **tol)
    assert not np.allclose(got.Ws[0], Ws[0]) or lr == 0 and cfg.momentum == 0
