"""DBM and DBMClassifier estimators: likelihood against enumeration, API, bad input, checks."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbelief import DBM, DBMClassifier
from deepbelief.math import dbm_energy as de

from .test_rbm_checks import RANGE_CHECKS, RANGE_REASON

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def prototypes(n=400, d=10, seed=0):
    rng = np.random.default_rng(seed)
    protos = (rng.random((3, d)) < 0.5) * 1.0
    return np.abs(protos[rng.integers(0, 3, n)] - (rng.random((n, d)) < 0.05))


SMALL = dict(hidden_layer_sizes=(6, 4), pretrain_n_iter=10, pretrain_batch_size=20,
             pretrain_learning_rate=0.1, n_iter=10, learning_rate=0.05,
             batch_size=20, n_particles=50, random_state=0)


def test_score_is_a_bound_on_the_exact_log_likelihood():
    X = prototypes()
    dbm = DBM(**SMALL).fit(X)
    exact = de.log_unnormalized_exact(X, dbm.coefs_, dbm.intercepts_) - de.log_partition_exact(
        dbm.coefs_, dbm.intercepts_)
    bound = dbm.score_samples(X)
    assert np.all(bound <= exact + 1e-9)
    assert np.mean(exact - bound) < 1.0
    # the model learned the three prototypes: far above independent pixels
    m = X.mean(0).clip(1e-6, 1 - 1e-6)
    independent = np.sum(m * np.log(m) + (1 - m) * np.log(1 - m))
    assert dbm.score(X) > independent + 1


def test_score_runs_mean_field_to_convergence():
    """Each sweep is coordinate ascent on the bound: the converged default scores at
    least as high as a few sweeps, stays below the exact value, and is a fixed point."""
    X = prototypes(seed=3)
    dbm = DBM(**{**SMALL, "hidden_layer_sizes": (8, 6), "n_mean_field": 1}).fit(X)
    exact = de.log_unnormalized_exact(X, dbm.coefs_, dbm.intercepts_) - de.log_partition_exact(
        dbm.coefs_, dbm.intercepts_)
    scores = {n: dbm.set_params(n_mean_field_score=n).score_samples(X) for n in (1, 3, 30)}
    converged = dbm.set_params(n_mean_field_score=None).score_samples(X)
    for lower, higher in ((1, 3), (3, 30)):
        assert np.all(scores[higher] >= scores[lower] - 1e-9)
    assert np.all(converged >= scores[30] - 1e-6)
    assert np.all(converged <= exact + 1e-9)
    assert np.mean(converged - scores[1]) > 1e-3  # one sweep had not converged
    mus = de.mean_field(X, dbm.coefs_, dbm.intercepts_, 1000, tol=1e-6)
    again = de.mean_field(X, dbm.coefs_, dbm.intercepts_, 1, init=mus)
    for a, b in zip(mus, again):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(
        converged, de.variational_bound(X, mus, dbm.coefs_, dbm.intercepts_)
        - dbm.log_partition("exact"), atol=1e-9)
    with pytest.raises(ValueError, match="n_mean_field_score"):
        DBM(n_mean_field_score=0).fit(X)


def test_ais_log_partition_matches_exact_for_a_fitted_model():
    dbm = DBM(**SMALL).fit(prototypes())
    exact = dbm.log_partition("exact")
    ais, (low, high) = dbm.log_partition("ais", n_chains=100, n_betas=2000, return_bounds=True)
    assert ais == pytest.approx(exact, abs=0.1)
    assert low <= ais <= high
    with pytest.raises(ValueError, match="method"):
        dbm.log_partition("bogus")


def test_joint_training_improves_on_pretraining():
    X = prototypes(seed=3)
    params = {**SMALL, "n_iter": 0}
    pretrained = DBM(**params).fit(X)
    trained = DBM(**{**params, "n_iter": 30}).fit(X)
    assert trained.score(X) > pretrained.score(X)


@pytest.mark.parametrize("sizes", [(6, 4), (5, 4, 3)])
def test_transform_sample_and_shapes(sizes):
    X = prototypes()
    dbm = DBM(**{**SMALL, "hidden_layer_sizes": sizes}).fit(X)
    H = dbm.transform(X)
    assert H.shape == (len(X), sizes[-1]) and np.all((H >= 0) & (H <= 1))
    allh = clone(dbm).set_params(transform_layers="all").fit(X).transform(X)
    assert allh.shape == (len(X), sum(sizes))
    np.testing.assert_allclose(allh[:, -sizes[-1]:], H)  # same seed, same model
    S = dbm.sample(20, n_steps=50, random_state=1)
    assert S.shape == (20, X.shape[1]) and np.all((S >= 0) & (S <= 1))
    Sb = dbm.sample(20, n_steps=5, random_state=1, probabilities=False)
    assert set(np.unique(Sb)) <= {0.0, 1.0}
    assert len(dbm.history_["grad_norms"]) == dbm.n_iter_ == 10
    assert dbm.get_feature_names_out().shape == (H.shape[1],)


def test_samples_look_like_the_data():
    """Fantasies of a model of three prototypes land near a prototype."""
    X = prototypes(n=600, seed=4)
    dbm = DBM(**{**SMALL, "n_iter": 30}).fit(X)
    S = dbm.sample(100, n_steps=200, random_state=2, probabilities=False)
    protos = np.unique(X, axis=0, return_counts=True)
    top3 = protos[0][np.argsort(protos[1])[-3:]]
    dist = np.abs(S[:, None, :] - top3[None]).sum(-1).min(1)
    assert np.median(dist) <= 1


def test_float32_is_kept_and_same_seed_same_model():
    X = prototypes().astype(np.float32)
    a, b = DBM(**SMALL).fit(X), DBM(**SMALL).fit(X)
    assert all(W.dtype == np.float32 for W in a.coefs_)
    assert a.transform(X).dtype == np.float32
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(Wa, Wb)
    c = DBM(**{**SMALL, "random_state": 1}).fit(X)
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_partial_fit_and_warm_start():
    X = prototypes()
    dbm = DBM(**SMALL)
    for _ in range(3):
        dbm.partial_fit(X)
    assert dbm.n_iter_ == 3
    warm = DBM(**{**SMALL, "warm_start": True}).fit(X)
    W = warm.coefs_[0].copy()
    warm.fit(X)
    assert warm.n_iter_ == 20 and not np.allclose(W, warm.coefs_[0])


@pytest.mark.parametrize("dynamic_binarization", [False, True])
def test_pickled_mid_training_resumes_exactly(dynamic_binarization):
    # what mnist_dbm.py --checkpoint-every relies on: the persistent chains,
    # the momentum and the random generator travel with the pickle
    X = prototypes() * 0.9 + 0.05 if dynamic_binarization else prototypes()
    params = {**SMALL, "n_iter": 4, "dynamic_binarization": dynamic_binarization}
    straight = DBM(**params)
    for _ in range(4):
        straight.partial_fit(X)
    cut = DBM(**params)
    for _ in range(2):
        cut.partial_fit(X)
    cut = pickle.loads(pickle.dumps(cut))
    for _ in range(2):
        cut.partial_fit(X)
    assert cut.n_iter_ == straight.n_iter_ == 4
    for a, b in zip(straight.coefs_ + straight.intercepts_, cut.coefs_ + cut.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(straight.sample(5, n_steps=3), cut.sample(5, n_steps=3))


def test_gaussian_visible_units():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4))
    X = (X - X.mean(0)) / X.std(0)
    dbm = DBM((5, 3), visible="gaussian", pretrain_n_iter=10, n_iter=10, learning_rate=0.005,
              pretrain_learning_rate=0.01, batch_size=20, random_state=0).fit(X)
    exact = de.log_unnormalized_exact(X, dbm.coefs_, dbm.intercepts_, "gaussian") - \
        de.log_partition_exact(dbm.coefs_, dbm.intercepts_, "gaussian")
    assert np.all(dbm.score_samples(X) <= exact + 1e-9)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.full((10, 4), 2.0), ValueError, r"\[0, 1\]"),
        (np.array([[0.5, np.nan, 0, 1]] * 10), ValueError, "NaN"),
        (np.array([[0.5, np.inf, 0, 1]] * 10), ValueError, "infinity"),
        (np.zeros((0, 4)), ValueError, "0 sample"),
        (np.zeros(4), ValueError, "2D array"),
        (sp.csr_matrix(np.eye(4)), TypeError, "[Ss]parse"),
    ],
)
def test_bad_input(X, error, match):
    with pytest.raises(error, match=match):
        DBM(**SMALL).fit(X)


def test_wrong_n_features_and_unfitted():
    dbm = DBM(**SMALL)
    with pytest.raises(Exception, match="not fitted"):
        dbm.transform(prototypes())
    dbm.fit(prototypes())
    with pytest.raises(ValueError, match="features"):
        dbm.transform(prototypes(d=7))


def test_divergence_raises_a_clear_error():
    from deepbelief.errors import TrainingDivergedError

    X = prototypes()
    dbm = DBM(**{**SMALL, "learning_rate": 1e6, "pretrain_n_iter": 0, "momentum": 0.9})
    with pytest.raises(TrainingDivergedError, match="diverged"):
        dbm.fit(X)
    assert all(np.isfinite(W).all() for W in dbm.coefs_)


def test_dynamic_binarization(monkeypatch):
    """Each minibatch a fresh binary draw: for the bottom pretraining RBM and in
    joint training; the RBMs above see probabilities; grey data stay grey."""
    import deepbelief.training.contrastive_divergence as tr
    import deepbelief.training.dbm_learning as dt

    seen = {"pretrain": [], "joint": []}
    cd_step, joint_step = tr._batch_step, dt._dbm_batch_step

    def cd_spy(state, cfg, buf, lr, rng, optimizer):
        seen["pretrain"].append((state.W.shape[0], buf.V2[: buf.V2.shape[0] // 2].copy()))
        return cd_step(state, cfg, buf, lr, rng, optimizer)

    def joint_spy(state, cfg, buf, lr, rng, norms, optimizer):
        seen["joint"].append(buf.S[0][: buf.B].copy())
        return joint_step(state, cfg, buf, lr, rng, norms, optimizer)

    monkeypatch.setattr(tr, "_batch_step", cd_spy)
    monkeypatch.setattr(dt, "_dbm_batch_step", joint_spy)
    X = np.full((40, 10), 0.4)
    X[:, 0] = 1.0
    dbm = DBM(**{**SMALL, "pretrain_n_iter": 3, "n_iter": 20, "batch_size": 40,
                 "pretrain_batch_size": 40, "dynamic_binarization": True}).fit(X)
    bottom = np.stack([v for d, v in seen["pretrain"] if d == 10])
    above = np.stack([v for d, v in seen["pretrain"] if d == 6])
    joint = np.stack(seen["joint"])
    for V in (bottom, joint):
        assert set(np.unique(V)) == {0.0, 1.0} and np.all(V[:, :, 0] == 1)
        assert not np.array_equal(V[0], V[1])
    rest = joint[:, :, 1:]
    assert abs(rest.mean() - 0.4) < 5 * np.sqrt(0.24 / rest.size)
    assert len(np.unique(above)) > 2  # hidden probabilities, not draws
    np.testing.assert_array_equal(X[:, 1:], 0.4)

    seen["joint"].clear()
    DBM(**{**SMALL, "pretrain_n_iter": 0, "n_iter": 1, "batch_size": 40}).fit(X)
    np.testing.assert_array_equal(seen["joint"][0], X)  # off: the data as given
    assert dbm.score_samples((X > 0.5) * 1.0).shape == (40,)


def test_dynamic_binarization_needs_bernoulli_units():
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match="dynamic_binarization.*bernoulli"):
        DBM(**{**SMALL, "visible": "gaussian", "dynamic_binarization": True}).fit(X)


# ----------------------------------------------------------------- classifier
def test_classifier_on_digits(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    dbm = DBM((64, 64), pretrain_n_iter=10, pretrain_batch_size=20, n_iter=5, batch_size=20,
              learning_rate=0.01, random_state=0)
    clf = DBMClassifier(dbm=dbm, max_iter=30, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.93
    assert clf.coefs_[0].shape == (64 + 64, 64)  # [x, q(h2)] -> h1
    assert len(clf.history_["grad_norms_init"]) == 3
    assert not hasattr(dbm, "coefs_")  # the template was cloned, not fitted


def test_classifier_starts_from_the_fitted_dbm_and_leaves_it_alone(digits_split):
    X_tr, _, y_tr, _ = digits_split
    dbm = DBM((32, 16), pretrain_n_iter=3, n_iter=2, random_state=0).fit(X_tr)
    W = [w.copy() for w in dbm.coefs_]
    clf = DBMClassifier(dbm=dbm, max_iter=0).fit(X_tr, y_tr)
    np.testing.assert_array_equal(clf.coefs_[0], np.vstack([W[0], W[1].T]))
    np.testing.assert_array_equal(clf.coefs_[1], W[1])
    np.testing.assert_array_equal(clf.intercepts_[0], dbm.intercepts_[1])
    clf.set_params(max_iter=5).fit(X_tr, y_tr)
    for a, b in zip(W, dbm.coefs_):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="features"):
        DBMClassifier(dbm=dbm, max_iter=1).fit(X_tr[:, :10], y_tr)


def test_pipeline_and_grid_search(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    pipe = make_pipeline(MinMaxScaler(), DBMClassifier(
        dbm=DBM((32, 32), pretrain_n_iter=5, pretrain_batch_size=20, n_iter=2), max_iter=40,
        random_state=0))
    grid = GridSearchCV(pipe, {"dbmclassifier__dbm__n_iter": [1, 3]}, cv=2).fit(X_tr, y_tr)
    assert grid.best_score_ > 0.8 and grid.score(X_te, y_te) > 0.8
    # the DBM as a transformer whose parameter the search tunes
    feats = GridSearchCV(make_pipeline(DBM((32, 16), pretrain_n_iter=10, n_iter=2, random_state=0),
                                       LogisticRegression(max_iter=1000)),
                         {"dbm__n_mean_field": [2, 5]}, cv=2, error_score="raise").fit(X_tr, y_tr)
    assert np.all(feats.cv_results_["mean_test_score"] > 0.5)  # both settings learn (chance 0.1)
    best = feats.best_estimator_.named_steps["dbm"]
    assert best.n_mean_field == feats.best_params_["dbm__n_mean_field"]
    assert feats.score(X_te, y_te) > 0.5


# ------------------------------------------------------------------- checks
GAUSS = dict(visible="gaussian", pretrain_n_iter=2, n_iter=2, learning_rate=0.001,
             pretrain_learning_rate=0.005, batch_size=10, n_particles=10, ais_betas=200,
             ais_chains=10, random_state=0)
ESTIMATORS = [
    DBM((6, 4), **GAUSS),
    DBM((5, 4, 3), transform_layers="all", **GAUSS),
    DBM((6, 4), pretrain_n_iter=2, n_iter=2, batch_size=10, n_particles=10, random_state=0),
    DBMClassifier(dbm=DBM((8, 8), **GAUSS), max_iter=100, learning_rate_init=0.05,
                  batch_size=20, random_state=0),
]


def _expected_failures(est):
    if isinstance(est, DBM) and est.visible == "bernoulli":
        return {name: RANGE_REASON for name in RANGE_CHECKS}
    return {}


def test_bernoulli_expected_failures_are_the_range_check():
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    from .test_rbm_checks import _exception_chain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(ESTIMATORS[2], on_fail=None)
    assert {r["check_name"] for r in results if r["status"] == "failed"} == RANGE_CHECKS
    for r in results:
        if r["status"] == "failed":
            assert any("need data in [0, 1]" in str(e) for e in _exception_chain(r["exception"]))


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_classifier_output_only_epochs_keep_the_dbm_weights(digits_split):
    X_tr, _, y_tr, _ = digits_split
    dbm = DBM((32, 16), pretrain_n_iter=3, n_iter=2, random_state=0).fit(X_tr)
    start = DBMClassifier(dbm=dbm, max_iter=0, random_state=0).fit(X_tr, y_tr)
    frozen = DBMClassifier(dbm=dbm, max_iter=2, n_iter_output_only=2, random_state=0)
    frozen.fit(X_tr, y_tr)
    for a, b in zip(start.coefs_[:-1] + start.intercepts_[:-1],
                    frozen.coefs_[:-1] + frozen.intercepts_[:-1]):
        np.testing.assert_array_equal(a, b)
    assert frozen.loss_curve_[-1] < frozen.loss_curve_[0]
