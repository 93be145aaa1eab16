"""Bad input gets a clear error and loses nothing (issue 22, first cases)."""

import copy
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from deepbelief import (
    DBM,
    DBN,
    RBM,
    DBMClassifier,
    DBNClassifier,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoder,
    StackedAutoencoderClassifier,
)
from deepbelief.errors import TrainingDivergedError

X = np.random.default_rng(0).random((40, 6))

CLASSIFIERS = [
    lambda: DeepNetClassifier((4,), max_iter=2, random_state=0),
    lambda: DBNClassifier((4,), max_iter=2, pretrain_n_iter=1, random_state=0),
    lambda: DBMClassifier(DBM((4, 4), pretrain_n_iter=1, n_iter=1, random_state=0),
                          max_iter=2, random_state=0),
    lambda: StackedAutoencoderClassifier((4,), max_iter=2, pretrain_n_iter=1, random_state=0),
]


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_partial_fit_rejects_labels_outside_classes(make):
    y = np.arange(40) % 3
    with pytest.raises(ValueError, match=r"labels \[2\] not in classes \[0, 1\]"):
        make().partial_fit(X, y, classes=[0, 1])
    clf = make().partial_fit(X, y % 2, classes=[0, 1])
    with pytest.raises(ValueError, match="not the same as on the first call"):
        clf.partial_fit(X, y % 2, classes=[5, 6])
    with pytest.raises(ValueError, match=r"labels \[2\] not in classes"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1])


@pytest.mark.parametrize("make", [
    lambda sizes: DBN(sizes, n_iter=1),
    lambda sizes: DBM(sizes, pretrain_n_iter=1, n_iter=1),
    lambda sizes: StackedAutoencoder(sizes, max_iter=1, pretrain_n_iter=1),
    lambda sizes: DBNClassifier(sizes, max_iter=1, pretrain_n_iter=1),
])
@pytest.mark.parametrize("sizes, message", [((), "at least one"), ((4.5,), "integers"),
                                            ((4, 0), "positive")])
def test_hidden_layer_sizes_are_checked_at_fit(make, sizes, message):
    y = np.arange(40) % 2
    est = make(sizes)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    assert not hasattr(est, "n_features_in_")


def test_sample_and_ais_arguments_are_checked():
    rbm = RBM(4, n_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        rbm.sample(-1)
    with pytest.raises(ValueError, match="n_steps"):
        rbm.sample(2, n_steps=-1)
    with pytest.raises(ValueError, match="n_chains"):
        rbm.log_partition("ais", n_chains=0)
    with pytest.raises(ValueError, match="n_betas"):
        rbm.log_partition("ais", n_betas=1)


@pytest.mark.parametrize("make", [lambda: DBN((4,), n_iter=1, random_state=0),
                                  lambda: DBM((4,), pretrain_n_iter=1, n_iter=1, random_state=0)])
def test_stack_samplers_check_their_arguments(make):
    est = make().fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        est.sample(0)
    with pytest.raises(ValueError, match="n_steps"):
        est.sample(2, n_steps=1.5)
    assert est.sample(2, n_steps=2).shape == (2, X.shape[1])


def test_mnist_variable_naming_a_missing_file_is_an_error(monkeypatch, tmp_path):
    from deepbelief.datasets import MNIST_ENV, find_mnist

    monkeypatch.setenv(MNIST_ENV, str(tmp_path / "missing.npz"))
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        find_mnist()


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_one_class_predicts_it_with_one_probability_column(make):
    clf = make().fit(X, np.full(40, 7))
    np.testing.assert_array_equal(clf.predict(X[:3]), [7, 7, 7])
    np.testing.assert_array_equal(clf.predict_proba(X[:3]), np.ones((3, 1)))


@pytest.mark.parametrize("random_state", [None, np.random.RandomState(3), 0])
def test_ais_with_the_models_settings_is_the_value_score_samples_uses(random_state):
    Xw = np.random.default_rng(1).random((40, 24))  # 24 x 24 units: "auto" is AIS
    rbm = RBM(24, n_iter=1, ais_chains=20, ais_betas=100, random_state=random_state).fit(Xw)
    first = rbm.log_partition("ais")
    assert rbm.log_partition("ais") == rbm.log_partition() == first  # repeated calls agree
    free = rbm.free_energy(Xw)
    np.testing.assert_allclose(rbm.score_samples(Xw), -free - first)
    # another seed is another estimate, and does not change the model's own
    other = rbm.log_partition("ais", random_state=12345)
    assert other != first
    assert rbm.log_partition("ais") == first
    np.testing.assert_allclose(rbm.score_samples(Xw), -free - first)


def test_warm_start_and_partial_fit_keep_the_fitted_shape():
    y = np.arange(40) % 2
    rbm = RBM(4, n_iter=1, warm_start=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"n_components is \[4\].*ask for \[8\]"):
        rbm.set_params(n_components=8).fit(X)
    with pytest.raises(ValueError, match="n_components"):
        rbm.partial_fit(X)
    assert rbm.components_.shape == (4, 6)  # nothing lost
    net = DeepNetClassifier((4,), max_iter=2, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="hidden layer widths"):
        net.set_params(hidden_layer_sizes=(5,)).fit(X, y)
    with pytest.raises(ValueError, match="batch_norm"):
        net.set_params(hidden_layer_sizes=(4,), batch_norm=True).fit(X, y)
    assert net.set_params(batch_norm=False).fit(X, y).n_iter_ == 4  # continued
    dbm = DBM((4, 3), pretrain_n_iter=1, n_iter=1, warm_start=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="hidden layers"):
        dbm.set_params(hidden_layer_sizes=(4, 5)).fit(X)
    with pytest.raises(ValueError, match="hidden layers"):
        dbm.partial_fit(X)


def _same(a, b):
    """Deep equality of fitted state: arrays bit for bit, containers by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and _same(vars(a), vars(b))
    return a == b or (a != a and b != b)


_XG = (X - 0.5) * 10
_YR = _XG @ np.arange(1, 7) * 100


@pytest.mark.parametrize("make, high, data", [
    # batch-norm statistics and Adam's moments
    (lambda: DeepNetRegressor((8, 8), batch_norm=True, solver="adam", learning_rate_init=1e-3,
                              max_iter=3, random_state=0), {"learning_rate_init": 1e6}, "reg"),
    # the reproducer: the running variance used to stay inf
    (lambda: DeepNetRegressor((8, 8), batch_norm=True, solver="sgd", learning_rate_init=1e-2,
                              max_iter=3, random_state=0), {"learning_rate_init": 1e6}, "reg"),
    # momentum velocities and the persistent chains
    (lambda: RBM(4, method="pcd", momentum=0.5, n_iter=3, random_state=0),
     {"learning_rate": 1e9}, "bin"),
    (lambda: RBM(4, visible="gaussian", learning_rate=1e-3, n_iter=3, random_state=0),
     {"learning_rate": 1e3}, "gauss"),
    # the DBM's fantasy particles
    (lambda: DBM((4,), pretrain_n_iter=0, n_iter=3, random_state=0), {"learning_rate": 1e9},
     "bin"),
])
def test_divergence_restores_every_piece_of_state(make, high, data):
    """A diverging warm-started fit raises and leaves the model exactly as the
    last good epoch left it: parameters, optimizer moments, batch-norm
    statistics, chains, epoch counts and history."""
    Xd = {"reg": _XG, "gauss": _XG, "bin": (X > 0.5).astype(float)}[data]
    args = (Xd, _YR) if data == "reg" else (Xd,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make().set_params(warm_start=True).fit(*args)
    before = copy.deepcopy({k: v for k, v in vars(est).items() if k != "_rng"})
    with pytest.raises(TrainingDivergedError, match="diverged in epoch"):
        est.set_params(**high).fit(*args)
    # resolved_params_ reports the settings of the fit that failed
    after = {k: v for k, v in vars(est).items()
             if k not in ("_rng", "resolved_params_", *high)}
    for key in after:
        assert _same(before[key], after[key]), key
    est.set_params(**{k: make().get_params()[k] for k in high})
    assert np.isfinite(est.score(*args))


def test_a_diverged_net_reports_the_epochs_it_kept():
    reg = DeepNetRegressor((8,), solver="sgd", learning_rate_init=1e-2, max_iter=4,
                           random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(_XG, _YR)
    reg.set_params(warm_start=True, learning_rate_init=1e7)
    with pytest.raises(TrainingDivergedError):
        reg.fit(_XG, _YR)
    assert reg.n_iter_ == 4 and len(reg.loss_curve_) == 4  # before: n_iter_ stayed as set
    assert np.isfinite(reg.predict(_XG)).all()


def test_dbn_has_a_score_for_model_selection():
    from sklearn.model_selection import GridSearchCV

    Xb = (X > 0.5).astype(float)
    dbn = DBN((4,), n_iter=1, random_state=0).fit(Xb)
    R = dbn.inverse_transform(dbn.transform(Xb))
    assert dbn.score(Xb) == pytest.approx(-np.mean(np.sum((Xb - R) ** 2, axis=1)))
    search = GridSearchCV(DBN((4,), random_state=0), {"n_iter": [1, 20]}, cv=2).fit(Xb)
    assert search.best_params_["n_iter"] in (1, 20) and np.isfinite(search.best_score_)


@pytest.mark.parametrize("module, name, make", [
    ("deepbelief.estimators.dbn", "greedy_layerwise", lambda: DBN((4,), n_iter=1, random_state=0)),
    ("deepbelief.estimators.dbm", "pretrain_dbm",
     lambda: DBM((4, 3), pretrain_n_iter=1, n_iter=1, random_state=0)),
])
def test_a_failed_or_interrupted_pretraining_leaves_no_half_model(monkeypatch, module, name, make):
    import importlib

    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from deepbelief.errors import TrainingDivergedError

    target = importlib.import_module(module)

    def raising(error):
        def fail(*args, **kwargs):
            raise error
        return fail

    est = make()
    monkeypatch.setattr(target, name, raising(TrainingDivergedError("diverged")))
    with pytest.raises(TrainingDivergedError):
        est.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    assert not hasattr(est, "n_features_in_")

    monkeypatch.setattr(target, name, raising(KeyboardInterrupt()))
    with pytest.warns(UserWarning, match="interrupted by user during pretraining.*unfitted"):
        assert est.fit(X) is est
    assert not hasattr(est, "n_features_in_")

    monkeypatch.undo()
    fitted = make().fit(X)
    before = fitted.transform(X)
    monkeypatch.setattr(target, name, raising(KeyboardInterrupt()))
    with pytest.warns(UserWarning, match="left as it was before this fit"):
        fitted.fit(X[:20])
    np.testing.assert_array_equal(fitted.transform(X), before)  # the previous model, whole


def test_ctrl_c_in_fine_tuning_keeps_the_last_finished_epoch(monkeypatch):
    import deepbelief.training.backprop as backprop

    y = np.arange(40) % 2
    reference = DeepNetClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    calls = {"n": 0}
    forward = backprop.forward

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # one minibatch per epoch: the third epoch
            raise KeyboardInterrupt
        return forward(*args, **kwargs)

    monkeypatch.setattr(backprop, "forward", interrupted)
    net = DeepNetClassifier((4,), max_iter=10, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user in epoch 3"):
        net.fit(X, y)
    assert net.n_iter_ == 2 and len(net.loss_curve_) == 2 and len(net.history_["loss"]) == 2
    for got, want in zip(net.coefs_, reference.coefs_):
        np.testing.assert_array_equal(got, want)
    assert net.predict(X).shape == (40,)


def test_ctrl_c_in_joint_dbm_training_keeps_the_last_finished_epoch(monkeypatch):
    import deepbelief.training.dbm_learning as dbm_learning

    calls = {"n": 0}
    epoch = dbm_learning.dbm_epoch

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return epoch(*args, **kwargs)

    monkeypatch.setattr(dbm_learning, "dbm_epoch", interrupted)
    dbm = DBM((4, 3), pretrain_n_iter=1, n_iter=5, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user in epoch 2"):
        dbm.fit(X)
    assert dbm.n_iter_ == 1 and len(dbm.history_["seconds"]) == 1
    assert np.isfinite(dbm.score(X))


def test_a_net_whose_pretraining_fails_or_is_interrupted_is_left_as_it_was(monkeypatch):
    import deepbelief.estimators.dbn_nets as dbn_nets

    y = np.arange(40) % 2

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dbn_nets, "greedy_layerwise", interrupted)
    clf = DBNClassifier((4,), max_iter=2, pretrain_n_iter=1, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user during pretraining.*unfitted"):
        assert clf.fit(X, y) is clf
    assert not hasattr(clf, "n_features_in_") and not hasattr(clf, "params_")
    monkeypatch.setattr(dbn_nets, "greedy_layerwise", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        clf.fit(X, y)
    assert not hasattr(clf, "n_features_in_")


@pytest.mark.parametrize("make", [
    lambda: DBNClassifier((4,), max_iter=2, pretrain_n_iter=1, random_state=0),
    lambda: DBMClassifier(DBM((4,), pretrain_n_iter=1, n_iter=1, random_state=0), max_iter=2,
                          random_state=0),
    lambda: RBM(4, n_iter=1, random_state=0),
    lambda: DBN((4,), n_iter=1, random_state=0),
    lambda: DBM((4,), pretrain_n_iter=1, n_iter=1, random_state=0),
])
def test_held_out_data_is_checked_with_the_range_rule(make):
    """Rows a little outside [0, 1] (scaled with the training data's statistics)
    are clipped; data plainly on another scale is an error, as at fit."""
    y = np.arange(40) % 2
    est = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    method = est.predict if hasattr(est, "predict") else est.transform
    over = X.copy()
    over[:3] = over[:3] * 4 - 1  # a few rows overshooting (a MinMaxScaler's held-out rows)
    np.testing.assert_array_equal(method(over), method(np.clip(over, 0, 1)))
    # after a tiny training set, many held-out values overshoot by a little: clipped
    tiny = X.copy()
    tiny[:, ::2] = tiny[:, ::2] * 1.3 - 0.15  # half the features, 23 % of the values
    np.testing.assert_array_equal(method(tiny), method(np.clip(tiny, 0, 1)))
    for bad in (X * 255, (X - 0.5) * 6):  # raw pixels, standardized features
        with pytest.raises(ValueError, match=r"need data in \[0, 1\].*% of them outside"):
            method(bad)
