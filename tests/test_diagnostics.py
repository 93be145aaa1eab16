"""Diagnostics: gradient norms, saturation, per-batch recorder, plots."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from deepbelief import DBNClassifier, DeepNetClassifier
from deepbelief.datasets import load_digits_unit
from deepbelief.math.feedforward import NetSpec, backward, forward, init_params
from deepbelief.training.backprop import FitConfig, train_network
from deepbelief.training.diagnostics import (
    GradientRecorder,
    estimator_diagnostics,
    layer_diagnostics,
    update_ratios,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    return load_digits_unit()


def test_layer_diagnostics_match_backprop(digits):
    X, y = digits
    Y = np.eye(10)[y]
    rng = np.random.default_rng(0)
    spec = NetSpec(activation="tanh")
    params = init_params((64, 20, 20, 10), "glorot_normal", rng)
    norms, sat = layer_diagnostics(params, X[:100], Y[:100], spec)
    P, cache = forward(params, X[:100], spec, train=True)
    expected_sat = [np.mean(np.abs(a) > 0.99) for a in cache["outputs"]]
    grads = backward(params, cache, P, Y[:100], spec)
    np.testing.assert_allclose(norms, [np.linalg.norm(g) for g in grads["W"]])
    np.testing.assert_allclose(sat, expected_sat)


def test_saturation_of_sigmoid_net_with_large_weights(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    spec = NetSpec(activation="sigmoid")
    params = init_params((64, 30, 10), "normal", rng)
    params["W"][0] *= 1000  # drives every hidden unit to 0 or 1
    _, sat = layer_diagnostics(params, X[:200], np.eye(10)[y[:200]], spec)
    assert sat[0] > 0.9


def test_estimator_diagnostics_at_initialisation(digits):
    X, y = digits
    pre = DBNClassifier((50, 50, 50), pretrain_n_iter=5, pretrain_batch_size=20, max_iter=0,
                        random_state=0).fit(X, y)
    norms, sat = estimator_diagnostics(pre, X[:300], y[:300])
    np.testing.assert_allclose(norms, pre.history_["grad_norms_init"], rtol=0.5)
    assert len(norms) == 4 and len(sat) == 3


def test_layer_diagnostics_see_the_input_as_predict_does(digits):
    """The estimator's own input path: min-max scaling (visible="auto") and the
    DBM classifier's augmented input, which the net's first layer expects."""
    from deepbelief import DBM, DBMClassifier
    from deepbelief.estimators._validation import apply_unit_scaling
    from deepbelief.training.diagnostics import layer_diagnostics

    X, y = digits
    raw = (X * 16)[:300]  # out of [0, 1]: DBNClassifier min-max scales it
    clf = DBNClassifier((20,), pretrain_n_iter=2, max_iter=0, random_state=0).fit(raw, y[:300])
    assert clf.input_scaling_ == "minmax"
    norms, sat = estimator_diagnostics(clf, raw, y[:300])
    Xs = apply_unit_scaling(raw.astype(np.float32), clf.input_offset_, clf.input_scale_)
    want, _ = layer_diagnostics(clf.params_, Xs, np.eye(10, dtype=np.float32)[y[:300]],
                                clf._spec())
    np.testing.assert_allclose(norms, want, rtol=1e-5)
    assert clf.layer_diagnostics(raw, y[:300]) == (norms, sat)
    dbm_clf = DBMClassifier(DBM((16, 8), pretrain_n_iter=1, n_iter=1), max_iter=0,
                            random_state=0).fit(X, y)
    norms, sat = estimator_diagnostics(dbm_clf, X[:200], y[:200])
    assert len(norms) == 3 and len(sat) == 2 and all(np.isfinite(norms))


def test_recorder_sees_every_batch():
    X, y = load_digits_unit()
    Y = np.eye(10)[y][:400]
    X = X[:400]
    rng = np.random.default_rng(0)
    spec = NetSpec(activation="sigmoid")
    params = init_params((64, 16, 10), "glorot_uniform", rng)
    before = {"W": [w.copy() for w in params["W"]]}
    cfg = FitConfig(solver="momentum", learning_rate_init=0.1, batch_size=50, max_iter=3,
                    n_iter_no_change=10)
    rec = GradientRecorder(scale=0.1)
    with pytest.warns(ConvergenceWarning, match="maximum iterations \\(3\\)"):
        train_network(params, X, Y, spec, cfg, rng, on_grad_computed=rec)
    assert len(rec.norms) == 3 * 8
    assert rec.per_epoch().shape == (3, 2)
    ratios = update_ratios(before, params)
    assert len(ratios) == 2 and all(r > 0 for r in ratios)


def test_plots(digits):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from deepbelief.plotting import plot_grad_norms, plot_saturation

    X, y = digits
    clf = DeepNetClassifier((10, 10), activation="sigmoid", max_iter=3, random_state=0).fit(X, y)
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_grad_norms(clf.history_["grad_norms"], ax=a) is a
    assert len(a.get_lines()) == 3 and a.get_yscale() == "log"
    assert plot_saturation(clf.history_["saturation"], ax=b) is b
    plt.close(fig)
