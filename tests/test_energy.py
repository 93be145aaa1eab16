"""The Boltzmann math against brute-force enumeration and numerical integration."""

import numpy as np
import pytest
from scipy.special import expit, logsumexp

from deepbelief.math import energy
from deepbelief.math.partition import log_partition_exact

from .conftest import tiny_rbm


def brute_energy(v, h, W, b, c, visible):
    """E(v, h) for single vectors, straight from the definition."""
    vis = -b @ v if visible == "bernoulli" else 0.5 * np.sum((v - b) ** 2)
    return vis - c @ h - v @ W @ h


def test_sigmoid_matches_expit_and_is_stable():
    x = np.array([-1000, -100, -30, -1, 0, 1, 30, 100, 1000], dtype=np.float64)
    with np.errstate(all="raise"):
        s = energy.sigmoid(x)
    np.testing.assert_allclose(s, expit(x), rtol=1e-12, atol=1e-300)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(energy.sigmoid(x32), expit(x32), rtol=1e-6)
    assert energy.sigmoid(x32).dtype == np.float32
    # in place
    y = x.copy()
    assert energy.sigmoid(y, out=y) is y


def test_softplus_and_log_sigmoid():
    x = np.array([-800.0, -5, 0, 5, 800.0])
    np.testing.assert_allclose(energy.softplus(x), np.where(x > 0, x, 0) + np.log1p(np.exp(-abs(x))))
    with np.errstate(divide="ignore"):
        naive = np.log(expit(x))
    np.testing.assert_allclose(energy.log_sigmoid(x)[1:], naive[1:])
    assert energy.log_sigmoid(x)[0] == pytest.approx(-800.0)
    assert np.isfinite(energy.log_sigmoid(x)).all()


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_energy_matches_definition(visible):
    W, b, c = tiny_rbm(5, 4)
    rng = np.random.default_rng(1)
    V = rng.random((7, 5)) if visible == "gaussian" else (rng.random((7, 5)) < 0.5) * 1.0
    Hs = (rng.random((7, 4)) < 0.5) * 1.0
    expected = [brute_energy(v, h, W, b, c, visible) for v, h in zip(V, Hs)]
    np.testing.assert_allclose(energy.energy(V, Hs, W, b, c, visible), expected)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_free_energy_sums_over_hidden_states(visible):
    W, b, c = tiny_rbm(6, 5)
    rng = np.random.default_rng(2)
    V = rng.normal(size=(4, 6)) if visible == "gaussian" else (rng.random((4, 6)) < 0.5) * 1.0
    H_all = energy.all_binary_states(5)
    for v in V:
        E = np.array([brute_energy(v, h, W, b, c, visible) for h in H_all])
        expected = -logsumexp(-E)
        np.testing.assert_allclose(energy.free_energy(v[None], W, b, c, visible)[0], expected)


def test_free_energy_hidden_bernoulli_sums_over_visible_states():
    W, b, c = tiny_rbm(6, 5)
    V_all = energy.all_binary_states(6)
    for h in energy.all_binary_states(5)[::7]:
        E = np.array([brute_energy(v, h, W, b, c, "bernoulli") for v in V_all])
        np.testing.assert_allclose(energy.free_energy_hidden(h[None], W, b, c)[0], -logsumexp(-E))


def test_free_energy_hidden_gaussian_matches_numerical_integral():
    W, b, c = tiny_rbm(2, 3, scale=0.7)
    grid = np.linspace(-12, 12, 1201)
    dv = grid[1] - grid[0]
    V = np.stack(np.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
    for h in energy.all_binary_states(3):
        E = 0.5 * ((V - b) ** 2).sum(1) - c @ h - V @ W @ h
        numeric = -(logsumexp(-E) + 2 * np.log(dv))
        np.testing.assert_allclose(
            energy.free_energy_hidden(h[None], W, b, c, "gaussian")[0], numeric, atol=1e-6
        )


def test_exact_log_partition_bernoulli_by_joint_enumeration():
    W, b, c = tiny_rbm(12, 8)
    V = energy.all_binary_states(12)
    Hs = energy.all_binary_states(8)
    # -E for all (v, h) pairs: b.v + c.h + v W h
    neg_E = (V @ b)[:, None] + (Hs @ c)[None, :] + V @ W @ Hs.T
    expected = logsumexp(neg_E)
    assert log_partition_exact(W, b, c) == pytest.approx(expected, abs=1e-9)
    # enumerating the other layer gives the same (more visible than hidden here)
    Wt, bt, ct = W.T, c, b  # swap roles: 8 visible, 12 hidden
    assert log_partition_exact(Wt, bt, ct) == pytest.approx(expected, abs=1e-9)


def test_exact_log_partition_gaussian_by_numerical_integration():
    W, b, c = tiny_rbm(2, 3, scale=0.7)
    grid = np.linspace(-12, 12, 1201)
    dv = grid[1] - grid[0]
    V = np.stack(np.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
    numeric = logsumexp(-energy.free_energy(V, W, b, c, "gaussian")) + 2 * np.log(dv)
    assert log_partition_exact(W, b, c, "gaussian") == pytest.approx(numeric, abs=1e-6)


def test_log_likelihood_normalises():
    W, b, c = tiny_rbm(10, 6)
    V = energy.all_binary_states(10)
    logp = -energy.free_energy(V, W, b, c) - log_partition_exact(W, b, c)
    assert logsumexp(logp) == pytest.approx(0.0, abs=1e-10)


def test_log_partition_exact_refuses_large_layers():
    W, b, c = tiny_rbm(30, 30, scale=0.01)
    with pytest.raises(ValueError, match="ais"):
        log_partition_exact(W, b, c)


def test_pseudo_log_likelihood_against_brute_force():
    W, b, c = tiny_rbm(8, 5)
    rng = np.random.default_rng(3)
    V = (rng.random((6, 8)) < 0.5) * 1.0
    logZ = log_partition_exact(W, b, c)
    expected = np.zeros(6)
    for n, v in enumerate(V):
        for i in range(8):
            v1, v0 = v.copy(), v.copy()
            v1[i], v0[i] = 1, 0
            lp = -energy.free_energy(np.stack([v1, v0]), W, b, c) - logZ
            expected[n] += lp[0 if v[i] else 1] - logsumexp(lp)
    np.testing.assert_allclose(energy.pseudo_log_likelihood(V, W, b, c), expected)
    # the one-bit estimate averages to the full PLL over the bits
    one_bit = np.mean(
        [energy.pseudo_log_likelihood(V, W, b, c, features=np.full(6, i)) for i in range(8)],
        axis=0,
    )
    np.testing.assert_allclose(one_bit, expected)


def test_sample_bernoulli_matches_probabilities():
    rng = np.random.default_rng(4)
    p = np.array([0.0, 0.01, 0.3, 0.5, 0.9, 1.0], dtype=np.float32)
    n = 200_000
    draws = energy.sample_bernoulli(np.tile(p, (n, 1)), rng)
    assert draws.dtype == np.float32
    assert set(np.unique(draws)) <= {0.0, 1.0}
    mean = draws.mean(0)
    se = np.sqrt(p * (1 - p) / n) + 1e-12
    assert np.all(np.abs(mean - p) <= 5 * se + 1e-9)


def test_sample_gaussian_moments():
    rng = np.random.default_rng(5)
    mean = np.array([-2.0, 0.0, 3.0])
    x = energy.sample_gaussian(np.tile(mean, (100_000, 1)), rng)
    np.testing.assert_allclose(x.mean(0), mean, atol=5 / np.sqrt(100_000))
    np.testing.assert_allclose(x.var(0), 1.0, atol=0.02)


def test_gibbs_chain_samples_the_model_distribution():
    """Histogram of a long Gibbs run over a 4x3 RBM against exact p(v) (chi-square)."""
    W, b, c = tiny_rbm(4, 3, scale=1.0, seed=7)
    V_all = energy.all_binary_states(4)
    logp = -energy.free_energy(V_all, W, b, c) - log_partition_exact(W, b, c)
    p = np.exp(logp)
    rng = np.random.default_rng(8)
    v = (rng.random((4000, 4)) < 0.5) * 1.0
    for _ in range(50):  # burn-in
        v, _ = energy.gibbs_vhv(v, W, b, c, rng)
    counts = np.zeros(16)
    for _ in range(20):
        v, _ = energy.gibbs_vhv(v, W, b, c, rng)
        idx = (v * (1 << np.arange(4))).sum(1).astype(int)
        counts += np.bincount(idx, minlength=16)
    from scipy.stats import chisquare

    # 20 sweeps of 4000 chains are correlated across sweeps: test each sweep's share
    stat = chisquare(counts / 20, p * 4000)
    assert stat.pvalue > 1e-3, stat


def test_gibbs_hidden_samples_match_conditional_means():
    W, b, c = tiny_rbm(6, 4)
    rng = np.random.default_rng(9)
    v = np.tile((rng.random((1, 6)) < 0.5) * 1.0, (50_000, 1))
    _, h = energy.gibbs_vhv(v, W, b, c, rng)
    p = energy.mean_hiddens(v[:1], W, c)[0]
    se = np.sqrt(p * (1 - p) / 50_000)
    assert np.all(np.abs(h.mean(0) - p) < 5 * se)


def test_reconstruction_error_definition():
    W, b, c = tiny_rbm(6, 4)
    V = (np.random.default_rng(0).random((5, 6)) < 0.5) * 1.0
    r = expit(expit(V @ W + c) @ W.T + b)
    assert energy.reconstruction_error(V, W, b, c) == pytest.approx(((V - r) ** 2).sum(1).mean())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_draws(dtype):
    out = np.empty((400, 501), dtype=dtype)  # odd size: half a raw 64-bit word is left over
    u = energy.uniform(np.random.default_rng(0), out)
    assert u is out and u.dtype == dtype
    assert u.min() >= 0 and u.max() < 1
    n = u.size
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 0.002
    # deciles equally filled (chi-square, 9 dof)
    from scipy.stats import chisquare

    counts = np.bincount((u.ravel() * 10).astype(int), minlength=10)
    assert chisquare(counts).pvalue > 1e-4
    # consecutive draws are not correlated
    flat = u.ravel().astype(np.float64)
    assert abs(np.corrcoef(flat[:-1], flat[1:])[0, 1]) < 5 / np.sqrt(n)
    again = energy.uniform(np.random.default_rng(0), np.empty_like(out))
    np.testing.assert_array_equal(u, again)


def test_uniform_grid16_draws():
    u = energy.uniform_grid16(np.random.default_rng(0), (400, 501))
    assert u.dtype == np.uint16 and u.shape == (400, 501)
    n = u.size
    x = u.astype(np.float64)
    assert abs(x.mean() - 32767.5) < 5 * np.sqrt((65536**2 - 1) / 12 / n)
    from scipy.stats import chisquare

    # high and low bytes equally filled (chi-square, 255 dof each): all four
    # 16-bit words of each raw 64-bit word are used, none is constant
    for byte in (u >> 8, u & 0xFF):
        assert chisquare(np.bincount(byte.ravel(), minlength=256)).pvalue > 1e-4
    for lane in range(4):  # each lane of the raw word on its own
        assert abs(x.ravel()[lane::4].mean() - 32767.5) < 5 * np.sqrt(65536**2 / 12 / (n / 4))
    assert abs(np.corrcoef(x.ravel()[:-1], x.ravel()[1:])[0, 1]) < 5 / np.sqrt(n)
    shape = (301, 7)  # 2107 draws: not a multiple of the four per raw 64-bit word
    assert energy.uniform_grid16(np.random.default_rng(1), shape).shape == shape
    np.testing.assert_array_equal(u, energy.uniform_grid16(np.random.default_rng(0), (400, 501)))


class _EveryUniform:
    """Stand-in generator whose ``random`` returns the 2**16 grid midpoints in turn."""

    def random(self, size=None):
        return np.broadcast_to(((np.arange(2**16) + 0.5) / 2**16)[:, None], size)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bernoulli_grid16_is_p_rounded_up_to_the_grid(dtype):
    # enumerating all 2**16 values of u gives P(x = 1) exactly
    p = np.array([0.0, 1e-7, 1e-5, 0.3, 0.5, 1 - 1e-6, 1.0], dtype=dtype)
    scaled = np.tile(p * dtype(energy.GRID16), (2**16, 1))
    x = energy.bernoulli_grid16(scaled, _EveryUniform(), out=np.empty_like(scaled))
    assert x.dtype == dtype and set(np.unique(x)) <= {0.0, 1.0}
    want = np.ceil(p.astype(np.float64) * 2**16) / 2**16
    np.testing.assert_array_equal(x.mean(0, dtype=np.float64), want)
    assert np.all(np.abs(want - p) < 1 / 2**16)


def test_bernoulli_grid16_matches_probabilities():
    rng = np.random.default_rng(4)
    p = np.array([0.0, 0.01, 0.3, 0.5, 0.9, 1.0], dtype=np.float32)
    n = 200_000
    scaled = np.tile(p * np.float32(energy.GRID16), (n, 1))
    draws = energy.bernoulli_grid16(scaled, rng, out=scaled)  # in place
    assert draws is scaled and draws.dtype == np.float32
    mean = draws.mean(0, dtype=np.float64)
    se = np.sqrt(p * (1 - p) / n) + 1e-12
    assert np.all(np.abs(mean - p) <= 5 * se + 2 / 2**16)


def test_binarize_dynamic_draws_bernoulli_in_place():
    rng = np.random.default_rng(5)
    p = np.array([0.0, 0.02, 0.25, 0.5, 0.8, 1.0], dtype=np.float32)
    n = 100_000
    V = np.tile(p, (n, 1))
    out = energy.binarize_dynamic(V, rng)
    assert out is V and V.dtype == np.float32
    assert set(np.unique(V)) <= {0.0, 1.0}
    mean = V.mean(0, dtype=np.float64)
    se = np.sqrt(p * (1 - p) / n) + 1e-12
    assert np.all(np.abs(mean - p) <= 5 * se + 2 / 2**16)
    assert mean[0] == 0 and mean[-1] == 1  # exact at the ends
