"""``solver="cg"``: conjugate gradient with line searches on large minibatches."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning

import deepbelief.training.conjugate_gradient as cgm
from deepbelief import (
    DBM,
    DBMClassifier,
    DBNClassifier,
    DeepNetClassifier,
    DeepNetRegressor,
)
from deepbelief.math.activations import LOSSES
from deepbelief.math.feedforward import NetSpec, forward, init_params
from deepbelief.training.conjugate_gradient import conjugate_gradient_batch

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _softmax_regression_objective(X, y, alpha, n_out):
    """Independent reference: mean cross-entropy of softmax(X W + b) + alpha/2n ||W||^2."""
    n, d = X.shape
    Y = np.eye(n_out)[y]

    def f(theta):
        W, b = theta[: d * n_out].reshape(d, n_out), theta[d * n_out :]
        Z = X @ W + b
        logp = Z - logsumexp(Z, axis=1, keepdims=True)
        P = np.exp(logp)
        value = -np.sum(Y * logp) / n + 0.5 * alpha * np.sum(W * W) / n
        gW = X.T @ (P - Y) / n + alpha * W / n
        gb = (P - Y).sum(0) / n
        return value, np.concatenate([gW.ravel(), gb])

    return f


def test_cg_reaches_the_minimum_of_a_convex_problem(digits_split):
    """Softmax regression (no hidden layer) is convex: many CG iterations must land on
    the minimum that L-BFGS finds on an objective written independently here."""
    X_tr, _, y_tr, _ = digits_split
    X, y = X_tr[:300].astype(np.float64), y_tr[:300]
    alpha = 1.0
    rng = np.random.default_rng(0)
    params = init_params([64, 10], "glorot_uniform", rng, np.float64)
    spec = NetSpec(activation="sigmoid", output="softmax")
    Y = np.eye(10)[y]
    ref = _softmax_regression_objective(X, y, alpha, 10)
    theta0 = np.concatenate([params["W"][0].ravel(), params["b"][0]])
    before = ref(theta0)[0]
    loss = conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"], alpha=alpha,
                                    n_iter=500, max_evaluations=None)
    theta = np.concatenate([params["W"][0].ravel(), params["b"][0]])
    best = minimize(ref, theta0, jac=True, method="L-BFGS-B",
                    options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
    value, grad = ref(theta)
    assert value < before
    assert value == pytest.approx(best.fun, abs=1e-7)
    assert np.abs(grad).max() < 1e-4
    # the returned figure is the mean loss without the penalty
    W = params["W"][0]
    assert loss == pytest.approx(value - 0.5 * alpha * np.sum(W * W) / len(X), rel=1e-9)


def test_iterations_lower_the_objective_of_a_deep_net(digits_split):
    X_tr, _, y_tr, _ = digits_split
    X, Y = X_tr[:500], np.eye(10, dtype=np.float32)[y_tr[:500]]
    rng = np.random.default_rng(1)
    params = init_params([64, 32, 32, 10], "glorot_uniform", rng, np.float32)
    spec = NetSpec(activation="sigmoid", output="softmax")
    before = LOSSES["log_loss"](Y, forward(params, X, spec)[0])
    after = conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"])
    assert after < before
    later = conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"], n_iter=30,
                                     max_evaluations=None)
    assert later < 0.5 * after
    assert later == pytest.approx(LOSSES["log_loss"](Y, forward(params, X, spec)[0]), rel=1e-5)
    assert all(p.dtype == np.float32 for p in params["W"] + params["b"])


def _fit_to_float32_floor(X, Y, spec, n_epochs):
    params = init_params([64, 100, 10], "glorot_uniform", np.random.default_rng(0), np.float32)
    for _ in range(n_epochs):
        conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"])
    return params


def test_evaluation_budget_keeps_the_last_completed_iteration(digits_split, monkeypatch):
    """Near float32 precision the line searches fail after many evaluations; the
    budget stops them early and leaves what a failed search leaves, the last
    completed iteration, which without a budget would be reached anyway."""
    X_tr, _, y_tr, _ = digits_split
    X, Y = X_tr[:200], np.eye(10, dtype=np.float32)[y_tr[:200]]
    spec = NetSpec(activation="sigmoid", output="softmax")
    params = _fit_to_float32_floor(X, Y, spec, 300)
    calls = []
    real_forward = cgm.forward
    monkeypatch.setattr(cgm, "forward", lambda *a, **k: calls.append(1) or real_forward(*a, **k))
    copy = {k: [p.copy() for p in v] for k, v in params.items()}
    free = conjugate_gradient_batch(copy, X, Y, spec, LOSSES["log_loss"], max_evaluations=None)
    unlimited = len(calls)
    calls.clear()
    capped = conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"], max_evaluations=20)
    assert unlimited > 20 and len(calls) == 21  # 20 in the search, 1 to report the loss
    assert capped == pytest.approx(free, rel=1e-6)
    for a, b in zip(params["W"] + params["b"], copy["W"] + copy["b"]):
        np.testing.assert_array_equal(a, b)
    # a generous budget changes nothing on an ordinary batch
    fresh = init_params([64, 100, 10], "glorot_uniform", np.random.default_rng(1), np.float32)
    twin = {k: [p.copy() for p in v] for k, v in fresh.items()}
    conjugate_gradient_batch(fresh, X, Y, spec, LOSSES["log_loss"])
    conjugate_gradient_batch(twin, X, Y, spec, LOSSES["log_loss"], max_evaluations=None)
    for a, b in zip(fresh["W"], twin["W"]):
        np.testing.assert_array_equal(a, b)


def test_output_only_moves_only_the_output_layer(digits_split):
    X_tr, _, y_tr, _ = digits_split
    X, Y = X_tr[:200], np.eye(10, dtype=np.float32)[y_tr[:200]]
    params = init_params([64, 16, 10], "glorot_uniform", np.random.default_rng(2), np.float32)
    old = {k: [p.copy() for p in v] for k, v in params.items()}
    conjugate_gradient_batch(params, X, Y, NetSpec(activation="tanh", output="softmax"),
                             LOSSES["log_loss"], output_only=True)
    np.testing.assert_array_equal(params["W"][0], old["W"][0])
    np.testing.assert_array_equal(params["b"][0], old["b"][0])
    assert not np.array_equal(params["W"][1], old["W"][1])


def test_output_only_runs_the_frozen_layers_once(monkeypatch, digits_split):
    """Every line-search evaluation runs the output layer alone; the loss it
    reports is the whole net's, and the output layer reaches the same
    minimum as CG on the frozen features written out by hand."""
    X_tr, _, y_tr, _ = digits_split
    X, Y = X_tr[:300].astype(np.float64), np.eye(10)[y_tr[:300]]
    spec = NetSpec(activation="tanh", output="softmax", residual=True)
    params = init_params([64, 16, 16, 10], "glorot_uniform", np.random.default_rng(3))
    depths = []
    real_forward = cgm.forward
    monkeypatch.setattr(cgm, "forward",
                        lambda p, *a, **k: depths.append(len(p["W"])) or real_forward(p, *a, **k))
    by_hand = {"W": [params["W"][-1].copy()], "b": [params["b"][-1].copy()],
               "gamma": [], "beta": []}
    loss = conjugate_gradient_batch(params, X, Y, spec, LOSSES["log_loss"], alpha=0.3,
                                    output_only=True, n_iter=5, max_evaluations=None)
    assert depths.count(3) == 1 and len(depths) > 5 and set(depths) == {1, 3}
    P = real_forward(params, X, spec)[0]
    assert loss == pytest.approx(LOSSES["log_loss"](Y, P), rel=1e-10)
    # the features by hand: the skip connection adds the second layer's input
    x1 = np.tanh(X @ params["W"][0] + params["b"][0])
    H = np.tanh(x1 @ params["W"][1] + params["b"][1]) + x1
    conjugate_gradient_batch(by_hand, H, Y, NetSpec(output="softmax"), LOSSES["log_loss"],
                             alpha=0.3, n_iter=5, max_evaluations=None)
    np.testing.assert_allclose(params["W"][-1], by_hand["W"][0], rtol=1e-8, atol=1e-10)


def test_cg_classifier_learns_digits_deterministically(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    make = lambda: DeepNetClassifier((64,), activation="sigmoid", solver="cg", batch_size=400,
                                     max_iter=20, random_state=0)
    clf = make().fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.94
    assert clf.coefs_[0].dtype == np.float32
    loss = clf.history_["loss"]
    assert loss[-1] < 0.1 * loss[0]
    assert np.isnan(clf.history_["learning_rate"]).all()  # the line search sets the step
    again = make().fit(X_tr, y_tr)
    for a, b in zip(clf.coefs_, again.coefs_):
        np.testing.assert_array_equal(a, b)


def test_cg_regressor_fits():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    reg = DeepNetRegressor((32,), activation="tanh", solver="cg", batch_size=300, max_iter=30,
                           random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.9


def test_cg_fine_tunes_pretrained_nets_with_the_output_layer_first(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    dbn = DBNClassifier((48,), pretrain_n_iter=5, solver="cg", batch_size=400, max_iter=0,
                        random_state=0).fit(X_tr, y_tr)
    frozen = DBNClassifier((48,), pretrain_n_iter=5, solver="cg", batch_size=400, max_iter=3,
                           n_iter_output_only=3, random_state=0).fit(X_tr, y_tr)
    np.testing.assert_array_equal(frozen.coefs_[0], dbn.coefs_[0])
    tuned = DBNClassifier((48,), pretrain_n_iter=5, solver="cg", batch_size=400, max_iter=15,
                          n_iter_output_only=3, random_state=0).fit(X_tr, y_tr)
    assert not np.array_equal(tuned.coefs_[0], dbn.coefs_[0])
    assert tuned.score(X_te, y_te) > 0.93
    dbm = DBMClassifier(DBM((32, 32), pretrain_n_iter=3, n_iter=3, random_state=0),
                        solver="cg", batch_size=400, max_iter=30, random_state=0).fit(X_tr, y_tr)
    assert dbm.score(X_te, y_te) > 0.9


@pytest.mark.parametrize("options", [dict(dropout=0.5), dict(input_dropout=0.2),
                                     dict(batch_norm=True)])
def test_cg_rejects_random_or_batch_dependent_objectives(digits_split, options):
    X_tr, _, y_tr, _ = digits_split
    clf = DeepNetClassifier((16,), solver="cg", **options)
    with pytest.raises(ValueError, match="solver='cg'.*" + next(iter(options))):
        clf.fit(X_tr, y_tr)
    assert not hasattr(clf, "params_")


def test_cg_error_comes_before_pretraining(digits_split, monkeypatch):
    import deepbelief.estimators.dbn_nets as dbn_nets

    def fail(*args, **kwargs):
        raise AssertionError("pretraining ran")

    monkeypatch.setattr(dbn_nets, "greedy_layerwise", fail)
    X_tr, _, y_tr, _ = digits_split
    with pytest.raises(ValueError, match="dropout"):
        DBNClassifier((16,), solver="cg", dropout=0.2).fit(X_tr, y_tr)


@pytest.mark.filterwarnings("default::sklearn.exceptions.ConvergenceWarning")
def test_unconverged_warning_names_the_solver(digits_split):
    X_tr, _, y_tr, _ = digits_split
    for solver, name in (("cg", "Conjugate gradient"), ("adam", "Stochastic optimizer")):
        clf = DeepNetClassifier((16,), solver=solver, batch_size=400, max_iter=1, random_state=0)
        with pytest.warns(ConvergenceWarning, match=f"^{name}: maximum iterations"):
            clf.fit(X_tr, y_tr)
