"""The reference math on the array API standard: every conditional and energy
of deepbelief.math.energy computed on ``array_api_strict`` arrays (which allow
nothing beyond the standard) agrees with the numpy kernels, in float32 and
float64, and stays in the caller's namespace and dtype."""

import numpy as np
import pytest

from deepbelief.math import energy

xs = pytest.importorskip("array_api_strict")

FUNCTIONS = {
    "mean_hiddens": lambda v, h, W, b, c, vis: energy.mean_hiddens(v, W, c),
    "mean_visibles": lambda v, h, W, b, c, vis: energy.mean_visibles(h, W, b, vis),
    "energy": lambda v, h, W, b, c, vis: energy.energy(v, h, W, b, c, vis),
    "free_energy": lambda v, h, W, b, c, vis: energy.free_energy(v, W, b, c, vis),
    "free_energy_hidden": lambda v, h, W, b, c, vis: energy.free_energy_hidden(h, W, b, c, vis),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reference_math_on_strict_arrays_matches_numpy(name, visible, dtype):
    rng = np.random.default_rng(0)
    W = rng.normal(0, 3, (6, 4)).astype(dtype)  # large inputs: the stable forms matter
    b, c = rng.normal(size=6).astype(dtype), rng.normal(size=4).astype(dtype)
    v = ((rng.random((5, 6)) < 0.5) * 1.0).astype(dtype)
    if visible == "gaussian":
        v = rng.normal(size=(5, 6)).astype(dtype)
    h = ((rng.random((5, 4)) < 0.5) * 1.0).astype(dtype)
    args = (v, h, W, b, c)
    want = FUNCTIONS[name](*(a.copy() for a in args), visible)
    got = FUNCTIONS[name](*(xs.asarray(a) for a in args), visible)
    assert type(got).__module__.startswith("array_api_strict")
    assert got.dtype == xs.asarray(want).dtype
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(got), want, **tol)


# --------------------------------------------------------------------------
# the feed-forward net and backprop (deepbelief.math.feedforward)
# --------------------------------------------------------------------------
def _net_case(activation, output, batch_norm, dtype):
    from deepbelief.math.feedforward import NetSpec, init_params

    rng = np.random.default_rng(1)
    params = init_params((5, 4, 4, 3), "glorot_uniform", rng, dtype, batch_norm=batch_norm)
    if batch_norm:  # away from gamma = 1, beta = 0, so that their gradients are tested
        params["gamma"] = [(1 + 0.3 * rng.normal(size=g.shape)).astype(dtype)
                           for g in params["gamma"]]
        params["beta"] = [(0.3 * rng.normal(size=g.shape)).astype(dtype) for g in params["beta"]]
    X = rng.normal(size=(7, 5)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 7)]
    if output != "softmax":
        Y = rng.random((7, 3)).astype(dtype)
    spec = NetSpec(activation=activation, output=output, batch_norm=batch_norm, residual=True,
                   dropout_input=0.2, dropout_hidden=0.3)
    return params, X, Y, spec


def _to_strict(tree):
    return {k: [xs.asarray(a) for a in v] for k, v in tree.items()}


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("output", ["softmax", "identity", "sigmoid"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_backprop_on_strict_arrays_match_numpy(activation, output, batch_norm, dtype):
    from deepbelief.math.feedforward import backward, forward

    params, X, Y, spec = _net_case(activation, output, batch_norm, dtype)
    P, cache = forward(params, X.copy(), spec, train=True, rng=np.random.default_rng(5))
    grads = backward(params, cache, P.copy(), Y, spec, alpha=0.1, l1=0.01, scale=2.0)

    sp = _to_strict(params)
    P_s, cache_s = forward(sp, xs.asarray(X), spec, train=True, rng=np.random.default_rng(5))
    grads_s = backward(sp, cache_s, P_s, xs.asarray(Y), spec, alpha=0.1, l1=0.01, scale=2.0)

    tol = dict(rtol=2e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    assert type(P_s).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(P_s), P, **tol)
    for key in ("W", "b", "gamma", "beta"):
        assert len(grads_s[key]) == len(grads[key])
        for got, want in zip(grads_s[key], grads[key]):
            assert got.dtype == xs.asarray(want).dtype
            np.testing.assert_allclose(np.asarray(got), want, **tol)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "identity",
                                        "softmax"])
def test_activations_on_strict_arrays_match_numpy(activation):
    from deepbelief.math.activations import ACTIVATIONS, DERIVATIVES

    rng = np.random.default_rng(0)
    Z = rng.normal(0, 4, (6, 5))
    want = ACTIVATIONS[activation](Z.copy())
    got = ACTIVATIONS[activation](xs.asarray(Z))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-15)
    if activation in DERIVATIVES:
        delta = rng.normal(size=Z.shape)
        want_d = DERIVATIVES[activation](want.copy(), delta.copy())
        got_d = DERIVATIVES[activation](xs.asarray(want), xs.asarray(delta))
        np.testing.assert_allclose(np.asarray(got_d), want_d, rtol=1e-12, atol=1e-15)
