"""Backprop against central finite differences, for every option of the engine."""

import numpy as np
import pytest

from deepbelief.math.activations import LOSSES, OUTPUT_FOR_LOSS
from deepbelief.math.feedforward import NetSpec, backward, forward, init_params, penalty


def loss_and_grads(params, X, Y, spec, loss, alpha, l1, seed=0):
    rng = np.random.default_rng(seed)  # the same dropout masks on every call
    P, cache = forward(params, X, spec, train=True, rng=rng)
    value = LOSSES[loss](Y, P) + penalty(params, X.shape[0], alpha, l1)
    return value, P, cache


CASES = [
    dict(activation="sigmoid"),
    dict(activation="tanh"),
    dict(activation="relu"),
    dict(activation="leaky_relu"),
    dict(activation="identity"),
    dict(activation="sigmoid", dropout_input=0.2, dropout_hidden=0.3),
    dict(activation="tanh", batch_norm=True),
    dict(activation="relu", residual=True),
    dict(activation="sigmoid", batch_norm=True, residual=True, dropout_hidden=0.2),
    dict(activation="sigmoid", activations=("sigmoid", "identity", "relu")),
]


@pytest.mark.parametrize("loss", ["log_loss", "squared_error", "binary_log_loss"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_backprop_matches_finite_differences(case, loss):
    rng = np.random.default_rng(1)
    sizes = (5, 4, 4, 4, 3)  # equal hidden widths so residual connections apply
    spec = NetSpec(output=OUTPUT_FOR_LOSS[loss], **case)
    params = init_params(sizes, "glorot_normal", rng, np.float64, batch_norm=spec.batch_norm)
    for g in params["gamma"]:
        g += rng.normal(0, 0.3, g.shape)
    for b in params["b"] + params["beta"]:
        b += rng.normal(0, 0.3, b.shape)
    X = rng.normal(size=(7, 5))
    if loss == "log_loss":
        Y = np.eye(3)[rng.integers(0, 3, 7)]
    elif loss == "binary_log_loss":
        Y = rng.random((7, 3))  # targets in [0, 1], as reconstructed pixel intensities
    else:
        Y = rng.normal(size=(7, 3))
    alpha, l1 = 0.3, 0.1
    _, P, cache = loss_and_grads(params, X, Y, spec, loss, alpha, l1)
    grads = backward(params, cache, P, Y, spec, alpha=alpha, l1=l1)
    eps = 1e-6
    checked = 0
    for key in ("W", "b", "gamma", "beta"):
        for arr, grad in zip(params[key], grads[key]):
            flat, gflat = arr.reshape(-1), grad.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                up = loss_and_grads(params, X, Y, spec, loss, alpha, l1)[0]
                flat[i] = old - eps
                down = loss_and_grads(params, X, Y, spec, loss, alpha, l1)[0]
                flat[i] = old
                fd = (up - down) / (2 * eps)
                # relu kinks: skip the rare coordinate where a unit sits at 0
                assert gflat[i] == pytest.approx(fd, rel=1e-4, abs=1e-7), (key, i)
                checked += 1
    assert checked > 50


def test_forward_eval_mode_uses_running_statistics():
    rng = np.random.default_rng(0)
    spec = NetSpec(activation="relu", batch_norm=True)
    params = init_params((4, 6, 2), "he_normal", rng, batch_norm=True)
    from deepbelief.math.feedforward import init_bn_stats

    stats = init_bn_stats(params)
    X = rng.normal(3.0, 2.0, size=(500, 4))
    for _ in range(250):  # (1 - 0.1) ** 250 ~ 4e-12 of the initial value remains
        forward(params, X, spec, train=True, rng=rng, bn_stats=stats)
    z = X @ params["W"][0] + params["b"][0]
    np.testing.assert_allclose(stats["mean"][0], z.mean(0), rtol=1e-6)
    np.testing.assert_allclose(stats["var"][0], z.var(0), rtol=1e-6)
    P_train, _ = forward(params, X, spec, train=True, rng=rng, bn_stats=None)
    P_eval, _ = forward(params, X, spec, train=False, bn_stats=stats)
    np.testing.assert_allclose(P_eval, P_train, rtol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_backward_keep_dtype(dtype):
    rng = np.random.default_rng(0)
    spec = NetSpec(activation="sigmoid", batch_norm=True, dropout_hidden=0.1)
    params = init_params((6, 5, 5, 3), "glorot_uniform", rng, dtype, batch_norm=True)
    X = rng.random((8, 6)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 8)]
    P, cache = forward(params, X, spec, train=True, rng=rng)
    assert P.dtype == dtype
    grads = backward(params, cache, P, Y, spec, alpha=1e-3)
    for key in grads:
        for g in grads[key]:
            assert g.dtype == dtype


@pytest.mark.parametrize("case", [dict(activation="sigmoid", dropout_hidden=0.3),
                                  dict(activation="tanh", batch_norm=True)])
def test_output_only_gradients_are_the_output_layers_alone(case):
    rng = np.random.default_rng(2)
    spec = NetSpec(output="softmax", **case)
    params = init_params((5, 4, 4, 3), "glorot_normal", rng, np.float64,
                         batch_norm=spec.batch_norm)
    X, Y = rng.normal(size=(7, 5)), np.eye(3)[rng.integers(0, 3, 7)]
    grads = {}
    for output_only in (False, True):  # a fresh forward pass each: backward overwrites the cache
        _, P, cache = loss_and_grads(params, X, Y, spec, "log_loss", 0.3, 0.1)
        grads[output_only] = backward(params, cache, P, Y, spec, alpha=0.3, l1=0.1,
                                      output_only=output_only)
    full, top = grads[False], grads[True]
    for key in ("W", "b"):
        np.testing.assert_array_equal(top[key][-1], full[key][-1])
        assert any(np.any(g != 0) for g in full[key][:-1])
    for key in ("W", "b", "gamma", "beta"):
        below = top[key][:-1] if key in ("W", "b") else top[key]
        assert len(below) == len(full[key]) - (key in ("W", "b"))
        assert all(g.shape == p.shape and not np.any(g) for g, p in zip(below, params[key]))
