"""Every optimizer on a parabola and on Rosenbrock's function."""

import numpy as np
import pytest

from deepbelief.training.optimizers import (
    OPTIMIZERS,
    project_max_norm,
    scheduled_learning_rate,
)

# (learning rate, steps) per optimizer for each problem
PARABOLA = {"sgd": (0.1, 300), "momentum": (0.05, 300), "nesterov": (0.05, 300),
            "adagrad": (0.5, 2000), "rmsprop": (0.01, 2000), "adam": (0.05, 2000)}
ROSENBROCK = {"sgd": (1e-3, 60000), "momentum": (2e-4, 30000), "nesterov": (2e-4, 30000),
              "adagrad": (0.1, 30000), "rmsprop": (1e-3, 30000), "adam": (0.01, 20000)}


def run(name, grad_fn, x0, lr, steps):
    params = [np.array(x0, dtype=np.float64)]
    opt = OPTIMIZERS[name]()
    state = opt.init(params)
    for _ in range(steps):
        steps_ = opt.update([grad_fn(params[0]) * opt.grad_scale(lr)], state, lr)
        params[0] += steps_[0]
    return params[0]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_parabola(name):
    A = np.diag([1.0, 4.0])
    target = np.array([1.0, -2.0])
    x = run(name, lambda x: A @ (x - target), [5.0, 5.0], *PARABOLA[name])
    np.testing.assert_allclose(x, target, atol=1e-2)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_rosenbrock(name):
    def grad(p):
        x, y = p
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    x = run(name, grad, [-1.2, 1.0], *ROSENBROCK[name])
    np.testing.assert_allclose(x, [1.0, 1.0], atol=0.05)


def test_updates_are_in_place_and_keep_dtype():
    for name in OPTIMIZERS:
        opt = OPTIMIZERS[name]()
        p = [np.ones(3, dtype=np.float32)]
        state = opt.init(p)
        g = [np.full(3, 0.5, dtype=np.float32)]
        out = opt.update(g, state, 0.1)
        in_place = out[0] is g[0] or (state.get("velocity") and out[0] is state["velocity"][0])
        assert in_place and out[0].dtype == np.float32


def test_sgd_and_momentum_formulas():
    g = lambda: [np.array([-0.1])]
    opt = OPTIMIZERS["momentum"](momentum=0.5)
    assert opt.grad_scale(0.1) == -0.1
    s = opt.init([np.zeros(1)])
    assert opt.update(g(), s, 0.1)[0][0] == pytest.approx(-0.1)
    assert opt.update(g(), s, 0.1)[0][0] == pytest.approx(-0.15)
    nes = OPTIMIZERS["nesterov"](momentum=0.5)
    s = nes.init([np.zeros(1)])
    assert nes.update(g(), s, 0.1)[0][0] == pytest.approx(-0.15)
    adam = OPTIMIZERS["adam"]()
    s = adam.init([np.zeros(1)])
    # bias correction makes the first Adam step lr * sign(g)
    assert adam.update([np.array([3.0])], s, 0.01)[0][0] == pytest.approx(-0.01, rel=1e-6)


def test_schedules():
    assert scheduled_learning_rate("constant", 0.1, 5, 10) == 0.1
    assert scheduled_learning_rate("linear", 0.1, 0, 4) == pytest.approx(0.1)
    assert scheduled_learning_rate("linear", 0.1, 3, 4) == pytest.approx(0.025)
    assert scheduled_learning_rate("linear", 0.1, 30, 4) == pytest.approx(0.025)
    assert scheduled_learning_rate("invscaling", 0.1, 3, 4) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="schedule"):
        scheduled_learning_rate("cosine", 0.1, 0, 1)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_none_gradient_freezes_its_leaf(name):
    """A frozen leaf gets no step and keeps its state; the others step as if alone.
    Unfrozen after k steps, Adam's first step on it is a fresh first step."""
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(6, 2, 3)), rng.normal(size=(6, 4))]
    opt = OPTIMIZERS[name]()
    scale = opt.grad_scale(0.1)
    both = [np.zeros((2, 3)), np.zeros(4)]
    state = opt.init(both)
    alone = opt.init([both[1]])
    for k in range(5):
        steps = opt.update([None, grads[1][k] * scale], state, 0.1)
        expected = opt.update([grads[1][k] * scale], alone, 0.1)
        assert steps[0] is None
        np.testing.assert_allclose(steps[1], expected[0], rtol=1e-12)
    fresh = opt.init([both[0]])
    steps = opt.update([grads[0][5] * scale, grads[1][5] * scale], state, 0.1)
    np.testing.assert_allclose(steps[0], opt.update([grads[0][5] * scale], fresh, 0.1)[0],
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_norm_projection_against_a_column_by_column_reference(dtype):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(20, 30)).astype(dtype) * rng.uniform(0.05, 0.5, size=30).astype(dtype)
    before = W.copy()
    c = float(np.median(np.linalg.norm(before, axis=0)))
    out = project_max_norm(W, c)
    assert out is W and W.dtype == dtype
    for j in range(W.shape[1]):  # reference: one column at a time
        col = before[:, j].astype(np.float64)
        norm = np.linalg.norm(col)
        if norm > c:  # rescaled to the bound, direction kept
            rtol = 1e-5 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(W[:, j], col * c / norm, rtol=rtol)
            assert np.linalg.norm(W[:, j].astype(np.float64)) == pytest.approx(c, rel=1e-5)
        else:  # untouched, bit for bit
            np.testing.assert_array_equal(W[:, j], before[:, j])
    assert (np.linalg.norm(before, axis=0) > c).sum() >= 10  # the bound was active
