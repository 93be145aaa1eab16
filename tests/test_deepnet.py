"""Deep net estimators: learning, vanishing gradients, options, bad input."""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from deepbelief import DeepNetClassifier, DeepNetRegressor
from deepbelief.errors import TrainingDivergedError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_relu_he_learns_digits(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    clf = DeepNetClassifier((64, 64), activation="relu", init="he_normal", solver="adam",
                            learning_rate_init=0.01, max_iter=30, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.93
    assert clf.predict_proba(X_te).shape == (len(X_te), 10)
    np.testing.assert_allclose(clf.predict_proba(X_te).sum(1), 1, rtol=1e-5)
    assert clf.predict(X_te).dtype == y_te.dtype


def test_vanishing_gradient_in_deep_sigmoid_net(digits_split):
    """6 x 100 sigmoid, sigma=0.01 init: gradient norms fall by > 10x per layer; ReLU+He do not."""
    X_tr, _, y_tr, _ = digits_split
    sig = DeepNetClassifier((100,) * 6, activation="sigmoid", init="normal", solver="momentum",
                            learning_rate_init=0.1, max_iter=2, random_state=0).fit(X_tr, y_tr)
    norms = np.array(sig.history_["grad_norms_init"])
    ratios = norms[1:] / norms[:-1]
    # between hidden layers each step back multiplies by ~0.25 * 0.01 * sqrt(100):
    # measured ~40x per layer (the first weight layer sees the pixels, not sigmoid outputs)
    assert np.all(ratios[1:] > 10), ratios
    relu = DeepNetClassifier((100,) * 6, activation="relu", init="he_normal", solver="momentum",
                             learning_rate_init=0.1, max_iter=2, random_state=0).fit(X_tr, y_tr)
    rn = np.array(relu.history_["grad_norms_init"])
    assert rn.max() / rn.min() < 10


def test_history_and_attributes(digits_split):
    X_tr, _, y_tr, _ = digits_split
    clf = DeepNetClassifier((20, 20), activation="tanh", max_iter=5, random_state=0).fit(X_tr, y_tr)
    h = clf.history_
    assert len(h["loss"]) == 5 == clf.n_iter_
    assert len(h["grad_norms"][0]) == 3 and len(h["saturation"][0]) == 2
    assert all(0 <= s <= 1 for row in h["saturation"] for s in row)
    assert [w.shape for w in clf.coefs_] == [(64, 20), (20, 20), (20, 10)]
    assert clf.n_layers_ == 4 and clf.out_activation_ == "softmax"
    assert clf.loss_curve_ == h["loss"]


@pytest.mark.parametrize("solver", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_solver_trains(digits_split, solver):
    X_tr, X_te, y_tr, y_te = digits_split
    lr = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.05, "rmsprop": 0.002,
          "adam": 0.005}[solver]
    clf = DeepNetClassifier((32,), activation="tanh", solver=solver, learning_rate_init=lr,
                            max_iter=15, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.9


@pytest.mark.parametrize("options", [dict(batch_norm=True), dict(residual=True),
                                     dict(dropout=0.2, input_dropout=0.1), dict(l1=1e-3),
                                     dict(activation="leaky_relu")])
def test_options_train(digits_split, options):
    X_tr, X_te, y_tr, y_te = digits_split
    params = dict(activation="relu", init="he_normal", learning_rate_init=0.005, max_iter=25,
                  random_state=0)
    params.update(options)
    clf = DeepNetClassifier((48, 48, 48), **params).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.9


def test_batch_norm_rescues_deep_sigmoid_net(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    kw = dict(activation="sigmoid", init="normal", solver="momentum", learning_rate_init=0.1,
              max_iter=15, random_state=0)
    plain = DeepNetClassifier((64,) * 5, **kw).fit(X_tr, y_tr)
    bn = DeepNetClassifier((64,) * 5, batch_norm=True, **kw).fit(X_tr, y_tr)
    assert plain.score(X_te, y_te) < 0.3
    assert bn.score(X_te, y_te) > 0.9


def test_early_stopping_restores_best(digits_split):
    X_tr, _, y_tr, _ = digits_split
    clf = DeepNetClassifier((32,), early_stopping=True, n_iter_no_change=3, max_iter=200,
                            learning_rate_init=0.01, random_state=0).fit(X_tr, y_tr)
    assert clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.history_["val_score"]) == clf.n_iter_


def test_max_iter_warns_convergence(digits_split):
    X_tr, _, y_tr, _ = digits_split
    with pytest.warns(ConvergenceWarning):
        DeepNetClassifier((8,), max_iter=2, random_state=0).fit(X_tr, y_tr)


def test_partial_fit_and_warm_start(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    clf = DeepNetClassifier((32,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X_tr, y_tr)
    for _ in range(10):
        clf.partial_fit(X_tr, y_tr, classes=np.arange(10))
    assert clf.n_iter_ == 10 and clf.score(X_te, y_te) > 0.9
    warm = DeepNetClassifier((32,), max_iter=3, warm_start=True, random_state=0).fit(X_tr, y_tr)
    warm.fit(X_tr, y_tr)
    assert warm.n_iter_ == 6


def test_same_seed_same_model(digits_split):
    X_tr, _, y_tr, _ = digits_split
    a = DeepNetClassifier((16,), max_iter=3, dropout=0.1, random_state=1).fit(X_tr, y_tr)
    b = DeepNetClassifier((16,), max_iter=3, dropout=0.1, random_state=1).fit(X_tr, y_tr)
    for wa, wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(digits_split, dtype):
    X_tr, _, y_tr, _ = digits_split
    clf = DeepNetClassifier((16,), max_iter=2, random_state=0).fit(X_tr.astype(dtype), y_tr)
    assert all(w.dtype == dtype for w in clf.coefs_)
    assert clf.predict_proba(X_tr.astype(dtype)).dtype == dtype


def test_regressor_single_and_multi_output():
    X, y = make_regression(400, 5, n_targets=1, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    reg = DeepNetRegressor((32,), activation="tanh", learning_rate_init=0.01, max_iter=100,
                           random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.95 and reg.predict(X).shape == (400,)
    Y = np.column_stack([y, -y])
    reg2 = DeepNetRegressor((32,), activation="relu", max_iter=50, learning_rate_init=0.01,
                            random_state=0).fit(X, Y)
    assert reg2.predict(X).shape == (400, 2) and reg2.score(X, Y) > 0.9


def test_pipeline_and_grid_search(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    pipe = Pipeline([("scale", StandardScaler()),
                     ("net", DeepNetClassifier(max_iter=50, random_state=0))])
    grid = GridSearchCV(pipe, {"net__hidden_layer_sizes": [(16,), (32, 32)],
                               "net__activation": ["relu", "tanh"]}, cv=2).fit(X_tr, y_tr)
    assert grid.best_score_ > 0.85 and grid.score(X_te, y_te) > 0.85


def test_bad_input():
    X = np.random.default_rng(0).random((20, 4))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="NaN"):
        DeepNetClassifier(max_iter=1).fit(np.full((20, 4), np.nan), y)
    with pytest.raises(ValueError):
        DeepNetClassifier(max_iter=1).fit(X, y[:10])
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        DeepNetClassifier(hidden_layer_sizes=(10, 0), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        DeepNetClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="init"):
        DeepNetClassifier(init="orthogonal").fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        DeepNetClassifier(max_iter=1).fit(X, np.linspace(0, 1, 20))
    clf = DeepNetClassifier((4,), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])


def test_divergence_raises():
    X = np.random.default_rng(0).normal(size=(200, 5)) * 1e3
    y = X @ np.ones(5) * 1e3
    reg = DeepNetRegressor((16,), activation="relu", solver="sgd", learning_rate_init=10.0,
                           max_iter=20, random_state=0)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        reg.fit(X, y)
    assert all(np.isfinite(w).all() for w in reg.coefs_)


@pytest.mark.parametrize("solver", ["momentum", "adam", "cg"])
def test_max_norm_bounds_every_unit_and_binds(digits_split, solver):
    """With ``max_norm`` no unit's incoming weights end longer than the bound;
    without it the same fit ends with longer ones (so the bound did work)."""
    X_tr, X_te, y_tr, y_te = digits_split
    kw = dict(hidden_layer_sizes=(48, 48), activation="relu", init="he_normal", solver=solver,
              learning_rate_init=0.05 if solver == "momentum" else 0.005, max_iter=15,
              dropout=0.0 if solver == "cg" else 0.2, random_state=0)
    free = DeepNetClassifier(**kw).fit(X_tr, y_tr)
    c = 0.5 * min(np.linalg.norm(W, axis=0).max() for W in free.coefs_)
    bounded = DeepNetClassifier(max_norm=c, **kw).fit(X_tr, y_tr)
    for W in bounded.coefs_:
        norms = np.linalg.norm(W, axis=0)
        assert norms.max() <= c * (1 + 1e-5)
        assert np.isclose(norms, c, rtol=1e-4).any()  # the bound binds somewhere
    assert bounded.score(X_te, y_te) > 0.85
    with pytest.raises(ValueError, match="max_norm"):
        DeepNetClassifier(max_norm=0.0, **kw).fit(X_tr, y_tr)


def test_logistic_is_scikit_learns_name_for_the_sigmoid():
    from deepbelief import DeepNetClassifier, StackedAutoencoderClassifier

    X = np.random.default_rng(0).random((40, 5))
    y = np.arange(40) % 2
    for cls in (DeepNetClassifier, StackedAutoencoderClassifier):
        a = cls((4,), activation="logistic", max_iter=3, random_state=0).fit(X, y)
        b = cls((4,), activation="sigmoid", max_iter=3, random_state=0).fit(X, y)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    with pytest.raises(ValueError, match="activation"):
        DeepNetClassifier((4,), activation="softplus").fit(X, y)
