"""Exact log Z, AIS and the likelihood gradient against independent references."""

import numpy as np
import pytest

from deepbelief.math import energy
from deepbelief.math.ais import ais_betas, ais_log_partition, base_visible_bias
from deepbelief.math.partition import exact_log_likelihood_gradient, log_partition_exact

from .conftest import tiny_rbm


def mean_log_likelihood(V, W, b, c, visible):
    return float(np.mean(-energy.free_energy(V, W, b, c, visible)) - log_partition_exact(W, b, c, visible))


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_gradient_matches_finite_differences(visible):
    W, b, c = tiny_rbm(12, 8, scale=0.3, seed=1)
    rng = np.random.default_rng(2)
    V = (rng.random((30, 12)) < 0.4) * 1.0 if visible == "bernoulli" else rng.normal(size=(30, 12))
    dW, db, dc = exact_log_likelihood_gradient(V, W, b, c, visible)
    eps = 1e-5
    for grad, param in ((dW, W), (db, b), (dc, c)):
        flat = param.reshape(-1)
        for i in rng.choice(flat.size, 6, replace=False):
            old = flat[i]
            flat[i] = old + eps
            up = mean_log_likelihood(V, W, b, c, visible)
            flat[i] = old - eps
            down = mean_log_likelihood(V, W, b, c, visible)
            flat[i] = old
            assert grad.reshape(-1)[i] == pytest.approx((up - down) / (2 * eps), abs=1e-6)


def test_cd_gradient_with_exact_model_samples_is_unbiased():
    """cd_gradient fed exact samples of p(v) (CD-infinity) estimates the exact gradient."""
    W, b, c = tiny_rbm(8, 6, scale=0.5, seed=3)
    rng = np.random.default_rng(4)
    V_all = energy.all_binary_states(8)
    p = np.exp(-energy.free_energy(V_all, W, b, c) - log_partition_exact(W, b, c))
    data = (rng.random((50, 8)) < 0.3) * 1.0
    model = V_all[rng.choice(len(V_all), size=200_000, p=p / p.sum())]
    est = energy.cd_gradient(data, model, W, c)
    exact = exact_log_likelihood_gradient(data, W, b, c)
    for e, x in zip(est, exact):
        # standard error of a mean of 200k bounded terms is < 0.5 / sqrt(2e5) ~ 1.1e-3
        np.testing.assert_allclose(e, x, atol=6e-3)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ais_within_a_tenth_of_a_nat(visible, dtype):
    W, b, c = tiny_rbm(12, 8, scale=0.5, seed=5)
    exact = log_partition_exact(W, b, c, visible)
    base = None
    if visible == "bernoulli":
        V_all = energy.all_binary_states(12)
        logp = -energy.free_energy(V_all, W, b, c) - exact
        base = base_visible_bias(np.exp(logp) @ V_all)
    res = ais_log_partition(
        W.astype(dtype), b.astype(dtype), c.astype(dtype), visible,
        n_chains=100, betas=3000, base_bias=base, rng=np.random.default_rng(6),
    )
    assert abs(res.log_z - exact) < 0.1
    assert res.log_z_low <= res.log_z <= res.log_z_high
    assert res.log_weights.shape == (100,)


def test_ais_is_deterministic_given_generator():
    W, b, c = tiny_rbm(10, 30, scale=0.3)
    r1 = ais_log_partition(W, b, c, n_chains=20, betas=200, rng=np.random.default_rng(1))
    r2 = ais_log_partition(W, b, c, n_chains=20, betas=200, rng=np.random.default_rng(1))
    r3 = ais_log_partition(W, b, c, n_chains=20, betas=200, rng=np.random.default_rng(2))
    assert r1.log_z == r2.log_z
    assert r1.log_z != r3.log_z


@pytest.mark.parametrize("n_chains", [1, 2, 7])
def test_ais_same_estimate_on_one_core_and_in_threads(monkeypatch, n_chains):
    # the chains run in two fixed groups with their own streams: threads (two or
    # more cores) and the sequential path (one core) must agree to the bit
    from deepbelief.kernels import numpy_ais as partition

    W, b, c = tiny_rbm(10, 30, scale=0.3)
    assert partition.chain_groups(n_chains) == ([n_chains] if n_chains < 2 else
                                                [n_chains - n_chains // 2, n_chains // 2])
    monkeypatch.setattr(partition.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    threaded = ais_log_partition(W, b, c, n_chains=n_chains, betas=100,
                                 rng=np.random.default_rng(3))
    monkeypatch.setattr(partition.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    sequential = ais_log_partition(W, b, c, n_chains=n_chains, betas=100,
                                   rng=np.random.default_rng(3))
    np.testing.assert_array_equal(threaded.log_weights, sequential.log_weights)
    assert threaded.log_weights.shape == (n_chains,)


def test_ais_betas_schedule():
    betas = ais_betas(14500)
    assert betas.size == 14501 and betas[0] == 0 and betas[-1] == 1
    assert np.all(np.diff(betas) > 0)
    assert np.sum(betas < 0.5) == 500 and np.sum((betas >= 0.5) & (betas < 0.9)) == 4000
    with pytest.raises(ValueError, match="increase"):
        ais_log_partition(*tiny_rbm(3, 2), betas=[0.0, 0.7, 0.5, 1.0])


def test_ais_keeps_within_the_callers_thread_limit(monkeypatch):
    import threading

    from threadpoolctl import threadpool_limits

    from deepbelief.kernels import numpy_ais

    monkeypatch.setattr(numpy_ais.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    seen = []

    def run(n, rng):
        seen.append(threading.current_thread().name)
        return np.zeros(n)

    with threadpool_limits(limits=1, user_api="blas"):
        assert numpy_ais.thread_budget() == 1
        numpy_ais.run_chain_groups(run, 10, np.random.default_rng(0))
    assert seen == [threading.current_thread().name] * 2  # both groups on the caller's thread
    seen.clear()
    with threadpool_limits(limits=2, user_api="blas"):
        numpy_ais.run_chain_groups(run, 10, np.random.default_rng(0))
    assert threading.current_thread().name not in seen  # two worker threads
