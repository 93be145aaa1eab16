"""The unit registry against brute force: every discrete type's energies, free
energies, conditionals and log Z by enumerating the joint states of tiny RBMs;
Gaussian units by numerical integration; the categorical sampler by a
chi-square test; AIS against exact log Z; the fast CD loop against a
reference; the RBM estimator on one-hot data."""

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import chisquare

from deepbelief import RBM
from deepbelief.math import energy
from deepbelief.math.ais import ais_log_partition, base_visible_bias
from deepbelief.math.partition import log_partition_exact
from deepbelief.math.units import (
    VISIBLE_UNITS,
    check_groups,
    group_softmax,
    sample_groups,
    visible_units,
)
from deepbelief.training.contrastive_divergence import CDConfig, CDState, cd_epoch

from .conftest import ConstantRNG

GROUPS = {"bernoulli": None, "categorical": (2, 3, 2)}


def tiny(n_visible, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 0.8, (n_visible, n_hidden)), rng.normal(0, 0.5, n_visible),
            rng.normal(0, 0.5, n_hidden))


def joint(units, W, b, c):
    """Every (v, h) pair and its -E, by enumeration."""
    V = units.states()
    H = np.array(list(itertools.product([0.0, 1.0], repeat=W.shape[1])))
    neg_e = np.array([[-energy.energy(v[None], h[None], W, b, c, units)[0] for h in H]
                      for v in V])
    return V, H, neg_e


@pytest.mark.parametrize("name", ["bernoulli", "categorical"])
@pytest.mark.parametrize("n_hidden", [2, 5])  # fewer / more states than the visible layer
def test_discrete_units_against_joint_enumeration(name, n_hidden):
    units = visible_units(name, 7, GROUPS[name])
    W, b, c = tiny(7, n_hidden)
    V, H, neg_e = joint(units, W, b, c)
    log_z = logsumexp(neg_e)
    assert log_partition_exact(W, b, c, units) == pytest.approx(log_z, abs=1e-10)
    np.testing.assert_allclose(energy.free_energy(V, W, b, c, units), -logsumexp(neg_e, axis=1))
    np.testing.assert_allclose(energy.free_energy_hidden(H, W, b, c, units),
                               -logsumexp(neg_e, axis=0))
    # E[v | h] from the joint
    p_v_given_h = np.exp(neg_e - logsumexp(neg_e, axis=0))
    np.testing.assert_allclose(energy.mean_visibles(H, W, b, units), p_v_given_h.T @ V)
    # the visible states are what the units take
    if name == "categorical":
        assert V.shape[0] == units.n_states == 2 * 3 * 2
        np.testing.assert_array_equal(V[:, :2].sum(1), 1)


def test_gaussian_marginal_by_numerical_integration():
    units = visible_units("gaussian", 2)
    b = np.array([0.3, -0.4])
    a = np.array([[0.5, 1.2], [-0.7, 0.1]])
    grid = np.linspace(-12, 12, 1601)
    v1, v2 = np.meshgrid(grid, grid, indexing="ij")
    V = np.stack([v1.ravel(), v2.ravel()], axis=1)
    step = grid[1] - grid[0]
    for row in a:
        integrand = units.term(V, b) + V @ row
        want = logsumexp(integrand) + 2 * np.log(step)
        assert units.marginal(row[None], b)[0] == pytest.approx(want, abs=1e-6)


def test_group_softmax_and_sampler():
    sizes = check_groups(7, (2, 3, 2))
    a = np.random.default_rng(1).normal(size=(4, 7))
    p = group_softmax(a.copy(), sizes)
    np.testing.assert_allclose(np.add.reduceat(p, [0, 2, 5], axis=1), 1.0)
    np.testing.assert_allclose(p[:, 2:5], np.exp(a[:, 2:5]) / np.exp(a[:, 2:5]).sum(1)[:, None])
    # chi-square: 20,000 draws of one row against its probabilities, group by group
    rng = np.random.default_rng(0)
    P = np.repeat(p[:1], 20000, axis=0)
    S = sample_groups(P, sizes, rng)
    np.testing.assert_array_equal(np.add.reduceat(S, [0, 2, 5], axis=1), 1.0)
    counts = S.sum(0)
    for lo, hi in ((0, 2), (2, 5), (5, 7)):
        assert chisquare(counts[lo:hi], 20000 * p[0, lo:hi]).pvalue > 1e-3
    # and the test can fail: the wrong probabilities are rejected
    wrong = np.array([0.2, 0.3, 0.5])
    assert chisquare(counts[2:5], 20000 * wrong).pvalue < 1e-6 or np.allclose(p[0, 2:5], wrong)


def test_check_groups():
    assert check_groups(6, 3).tolist() == [3, 3]
    assert check_groups(5, [2, 3]).tolist() == [2, 3]
    for bad in (4, [2, 2], [1, 4], None):
        with pytest.raises(ValueError, match="n_categories|groups"):
            check_groups(5, bad)
    with pytest.raises(ValueError, match="Unknown visible unit type"):
        visible_units("poisson", 3)
    assert set(VISIBLE_UNITS) == {"bernoulli", "gaussian", "categorical"}


def test_ais_matches_exact_for_categorical_units():
    units = visible_units("categorical", 9, 3)
    W, b, c = tiny(9, 6, seed=3)
    exact = log_partition_exact(W, b, c, units)
    mean = group_softmax(np.tile(b, (1, 1)), check_groups(9, 3))[0]
    res = ais_log_partition(W, b, c, units, n_chains=200, betas=3000,
                            base_bias=base_visible_bias(mean, units), rng=0)
    assert res.log_z == pytest.approx(exact, abs=0.1)
    assert res.log_z_low <= exact + 0.1 and exact - 0.1 <= res.log_z_high


def reference_categorical_epoch(X, W, b, c, lr, sizes, u=0.5):
    """PCD-1 on categorical units written plainly: per group, the unit whose
    cumulative probability interval holds the uniform ``u``."""
    B = X.shape[0]
    chain = X.copy()
    h = (energy.mean_hiddens(chain, W, c) > u) * 1.0
    a = h @ W.T + b
    v = np.zeros_like(chain)
    start = 0
    for k in sizes:
        p = np.exp(a[:, start : start + k])
        p /= p.sum(1, keepdims=True)
        cum = np.cumsum(p, axis=1)
        cum[:, -1] = np.inf
        pick = (cum > u).argmax(axis=1)
        v[np.arange(B), start + pick] = 1.0
        start += k
    ph_data, ph_model = energy.mean_hiddens(X, W, c), energy.mean_hiddens(v, W, c)
    W = W + lr * (X.T @ ph_data - v.T @ ph_model) / B
    b = b + lr * (X - v).mean(0)
    c = c + lr * (ph_data - ph_model).mean(0)
    return W, b, c, v


def test_fast_loop_with_categorical_units_matches_reference():
    sizes = (3, 2, 4)
    rng = np.random.default_rng(5)
    X = np.zeros((16, 9))
    start = 0
    for k in sizes:
        X[np.arange(16), start + rng.integers(0, k, 16)] = 1.0
        start += k
    W, b, c = tiny(9, 5, seed=2)
    cfg = CDConfig(visible="categorical", visible_groups=sizes, k=1, persistent=True,
                   learning_rate=0.1, batch_size=16)
    state = CDState(W.copy(), b.copy(), c.copy())
    cd_epoch(X, state, cfg, ConstantRNG(), 0.1)
    W2, b2, c2, v = reference_categorical_epoch(X, W, b, c, 0.1, sizes)
    np.testing.assert_allclose(state.W, W2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(state.b, b2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(state.c, c2, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(state.chain, v)


def one_hot_data(n=600, seed=0):
    """Four categorical features (3, 4, 2 and 3 categories) tied by a hidden class."""
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n)
    cols = [(z + rng.integers(0, 2, n)) % 3, (2 * z + rng.integers(0, 2, n)) % 4,
            z ^ (rng.random(n) < 0.1), (z + rng.integers(0, 2, n)) % 3]
    enc = OneHotEncoder().fit(np.stack(cols, 1))
    return enc.transform(np.stack(cols, 1)), [len(k) for k in enc.categories_]


def test_rbm_learns_one_hot_data():
    X, sizes = one_hot_data()
    start = RBM(n_components=4, visible="categorical", n_categories=sizes, n_iter=0,
                random_state=0).fit(X)
    rbm = RBM(n_components=4, visible="categorical", n_categories=sizes, learning_rate=0.05,
              n_iter=30, random_state=0).fit(X)  # CSR input, as OneHotEncoder writes it
    assert rbm.score(X) > start.score(X) + 0.2  # exact log-likelihood, nats per row
    assert rbm.log_partition(method="ais") == pytest.approx(rbm.log_partition(), abs=0.05)
    S = rbm.sample(50, n_steps=20, probabilities=False)
    np.testing.assert_array_equal(np.add.reduceat(S, [0, 3, 7, 9], axis=1), 1.0)
    assert np.allclose(rbm.inverse_transform(rbm.transform(X[:5])).sum(1), len(sizes))


def test_rbm_categorical_input_errors():
    X, sizes = one_hot_data(50)
    with pytest.raises(ValueError, match="n_categories"):
        RBM(visible="categorical", n_iter=1).fit(X)
    with pytest.raises(ValueError, match="n_categories"):
        RBM(visible="categorical", n_categories=[3, 4, 2, 2], n_iter=1).fit(X)
    with pytest.raises(ValueError, match="n_categories is for visible='categorical'"):
        RBM(n_categories=3, n_iter=1).fit(X)
    bad = X.toarray()
    bad[7, :3] = [1, 1, 0]
    with pytest.raises(ValueError, match="one-hot groups.*first row 7 in group 0"):
        RBM(visible="categorical", n_categories=sizes, n_iter=1).fit(bad)


def test_dbn_stacks_on_categorical_units():
    from deepbelief import DBN

    X, sizes = one_hot_data()
    dbn = DBN((8, 4), visible="categorical", n_categories=sizes, n_iter=10,
              random_state=0).fit(X)
    assert dbn.rbms_[0].visible == "categorical" and dbn.rbms_[1].visible == "bernoulli"
    assert dbn.transform(X[:3]).shape == (3, 4)
    S = dbn.sample(20, n_steps=10)  # visible probabilities: a distribution per group
    np.testing.assert_allclose(np.add.reduceat(S, [0, 3, 7, 9], axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="n_categories"):
        DBN((8,), visible="categorical", n_iter=1).fit(X)


def test_gaussian_hidden_units_by_numerical_integration():
    """Hidden layers are entries of the same registry: Gaussian (linear) hidden
    units below Bernoulli visible ones, their integral against a 2-D grid."""
    rng = np.random.default_rng(4)
    W, b, c = rng.normal(0, 0.5, (3, 2)), rng.normal(size=3), rng.normal(size=2)
    V = visible_units("bernoulli", 3).states()
    grid = np.linspace(-10, 10, 801)
    h1, h2 = np.meshgrid(grid, grid, indexing="ij")
    H = np.stack([h1.ravel(), h2.ravel()], axis=1)
    log_cell = 2 * np.log(grid[1] - grid[0])
    neg_e = np.array([-energy.energy(np.repeat(v[None], H.shape[0], 0), H, W, b, c,
                                     "bernoulli", "gaussian") for v in V])
    np.testing.assert_allclose(energy.free_energy(V, W, b, c, "bernoulli", "gaussian"),
                               -(logsumexp(neg_e, axis=1) + log_cell), rtol=1e-6)
    assert log_partition_exact(W, b, c, "bernoulli", hidden="gaussian") == pytest.approx(
        logsumexp(neg_e) + log_cell, abs=1e-6)
    # F(h) sums the (binary) visible layer out, whatever the hidden type
    Hs = H[::4000]
    neg_e_h = np.array([[-energy.energy(v[None], h[None], W, b, c, "bernoulli", "gaussian")[0]
                         for v in V] for h in Hs])
    np.testing.assert_allclose(
        energy.free_energy_hidden(Hs, W, b, c, "bernoulli", "gaussian"),
        -logsumexp(neg_e_h, axis=1))
    np.testing.assert_allclose(energy.mean_hiddens(V, W, c, "gaussian"), V @ W + c)
    with pytest.raises(ValueError, match="both layers are continuous"):
        log_partition_exact(W, b, c, "gaussian", hidden="gaussian")
