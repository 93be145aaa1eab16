"""The bad-input suite: every public estimator and method, fed what a user
should not feed it, answers with a ``ValueError``/``TypeError`` that names the
problem (never an ``IndexError``, ``AttributeError`` or a bare numpy
message), and a fit that fails leaves the estimator as it was.

Property-based tests (hypothesis) then fit small random data under random
parameter combinations: either finite outputs or a clear error.
"""

import copy
import inspect
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import check_param_validation

import deepbelief
from deepbelief import (
    DBM,
    DBN,
    RBM,
    DBMClassifier,
    DBNClassifier,
    DBNRegressor,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoder,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from deepbelief.errors import TrainingDivergedError

RNG = np.random.default_rng(0)
X = RNG.random((30, 6))
Y_CLASS = np.arange(30) % 3
Y_REG = X @ np.arange(1.0, 7.0)

FAST = {
    "RBM": lambda: RBM(4, n_iter=1, ais_betas=50, ais_chains=4, random_state=0),
    "DBN": lambda: DBN((4, 3), n_iter=1, random_state=0),
    "DBM": lambda: DBM((4, 3), pretrain_n_iter=1, n_iter=1, ais_betas=50, ais_chains=4,
                       n_particles=10, random_state=0),
    "StackedAutoencoder": lambda: StackedAutoencoder((4,), pretrain_n_iter=1, max_iter=1,
                                                     random_state=0),
    "DBNClassifier": lambda: DBNClassifier((4,), pretrain_n_iter=1, max_iter=2, random_state=0),
    "DBNRegressor": lambda: DBNRegressor((4,), pretrain_n_iter=1, max_iter=2, random_state=0),
    "DBMClassifier": lambda: DBMClassifier(
        DBM((4,), pretrain_n_iter=1, n_iter=1, n_particles=10, random_state=0), max_iter=2,
        random_state=0),
    "StackedAutoencoderClassifier": lambda: StackedAutoencoderClassifier(
        (4,), pretrain_n_iter=1, max_iter=2, random_state=0),
    "StackedAutoencoderRegressor": lambda: StackedAutoencoderRegressor(
        (4,), pretrain_n_iter=1, max_iter=2, random_state=0),
    "DeepNetClassifier": lambda: DeepNetClassifier((4,), max_iter=2, random_state=0),
    "DeepNetRegressor": lambda: DeepNetRegressor((4,), max_iter=2, random_state=0),
}
NAMES = sorted(FAST)
CLASSIFIERS = [n for n in NAMES if n.endswith("Classifier")]
REGRESSORS = [n for n in NAMES if n.endswith("Regressor")]
SUPERVISED = CLASSIFIERS + REGRESSORS


def test_the_suite_covers_every_public_estimator():
    public = {n for n in deepbelief.__all__ if inspect.isclass(getattr(deepbelief, n))}
    assert public == set(FAST)


def _y(name):
    return Y_CLASS if name in CLASSIFIERS else Y_REG if name in REGRESSORS else None


def _fit(est, X, y, method="fit", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(est, method)(X, **kw) if y is None else getattr(est, method)(X, y, **kw)


_FITTED = {}


def fitted(name):
    """One fitted estimator per class for the whole module (methods do not change it)."""
    if name not in _FITTED:
        _FITTED[name] = _fit(FAST[name](), X, _y(name))
    return _FITTED[name]


#: methods that take data of the training features as their first argument
X_METHODS = ["transform", "predict", "predict_proba", "predict_log_proba", "score",
             "score_samples", "free_energy", "reconstruct", "pseudo_log_likelihood",
             "mean_field", "gibbs", "reconstruction_error", "layer_diagnostics"]
NEEDS_Y = {"layer_diagnostics"}
METHOD_CASES = [(n, m) for n in NAMES for m in X_METHODS if hasattr(FAST[n](), m)]


def call(est, name, method, data):
    if method in NEEDS_Y or (method == "score" and name in SUPERVISED):
        y = _y(name)
        if y is not None and np.ndim(data) == 2:
            y = y[: np.shape(data)[0]]
        return getattr(est, method)(data, y)
    return getattr(est, method)(data)


#: fragments of numpy's and Python's own messages: an error that shows one of
#: them did not name the problem in the user's terms
CRYPTIC = ("could not be broadcast", "zero-size array", "index ", "has no attribute",
           "object is not subscriptable", "unsupported operand", "matmul", "not aligned",
           "out of bounds", "tuple index")


def assert_clear(error, *fragments):
    """A ValueError or TypeError whose message names the problem."""
    assert isinstance(error, (ValueError, TypeError)), repr(error)
    assert not isinstance(error, (IndexError, AttributeError, KeyError)), repr(error)
    message = str(error)
    assert message, repr(error)
    for bad in CRYPTIC:
        assert bad not in message, message
    if fragments:
        assert any(f.lower() in message.lower() for f in fragments), message


def raises_clearly(fn, *fragments):
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the point is to see what comes out
        assert_clear(error, *fragments)
        return error
    raise AssertionError("no error")


BAD_X = {
    "nan": (lambda: np.where(X > 0.9, np.nan, X), ("NaN",)),
    "inf": (lambda: np.where(X > 0.9, np.inf, X), ("infinity",)),
    "strings": (lambda: np.full(X.shape, "a", dtype=object), ("string", "convert")),
    "complex": (lambda: X + 1j, ("complex",)),
    "1-D": (lambda: X[0], ("2D",)),
    "3-D": (lambda: X[None], ("dim 3",)),
    "empty": (lambda: X[:0], ("0 sample",)),
    "no features": (lambda: X[:, :0], ("0 feature",)),
    "ragged": (lambda: [[0.1, 0.2], [0.3]], ("inhomogeneous", "sequence")),
    "None": (lambda: None, ("None", "array")),
    "scalar": (lambda: 0.5, ("2D", "scalar", "array")),
}


@pytest.mark.parametrize("case", sorted(BAD_X))
@pytest.mark.parametrize("name, method", METHOD_CASES)
def test_every_method_rejects_bad_data_clearly(name, method, case):
    make, fragments = BAD_X[case]
    est = fitted(name)
    before = copy.deepcopy(vars(est))
    raises_clearly(lambda: call(est, name, method, make()), *fragments)
    assert vars(est).keys() == before.keys()


@pytest.mark.parametrize("name, method", METHOD_CASES)
def test_every_method_checks_the_number_of_features(name, method):
    raises_clearly(lambda: call(fitted(name), name, method, X[:, :5]), "features")


@pytest.mark.parametrize("name, method", METHOD_CASES)
def test_every_method_needs_a_fitted_model(name, method):
    with pytest.raises(NotFittedError):
        call(FAST[name](), name, method, X)


@pytest.mark.parametrize("name, method", METHOD_CASES)
def test_every_method_takes_one_row_lists_and_float32(name, method):
    est = fitted(name)
    for data in (X[:1], X[:3].tolist(), X[:3].astype(np.float32)):
        if method == "score" and name in REGRESSORS and len(data) == 1:
            continue  # R^2 of one row is undefined (NaN, as scikit-learn's)
        out = call(est, name, method, data)
        values = out if isinstance(out, tuple) else (out,)
        for v in values:
            if isinstance(v, (list, tuple)):  # layer_diagnostics: norms per layer
                continue
            assert np.all(np.isfinite(np.asarray(v, dtype=float))), (method, v)


@pytest.mark.parametrize("name, method", METHOD_CASES)
def test_sparse_input_is_taken_or_refused_by_name(name, method):
    est = fitted(name)
    Xs = sp.csr_matrix(np.where(X > 0.5, X, 0.0))
    if est.__sklearn_tags__().input_tags.sparse and method == "gibbs":  # a random draw
        assert call(est, name, method, Xs).shape == X.shape
    elif est.__sklearn_tags__().input_tags.sparse:
        dense = call(est, name, method, Xs.toarray())
        np.testing.assert_allclose(np.asarray(call(est, name, method, Xs)), np.asarray(dense),
                                   rtol=1e-6)
    else:
        raises_clearly(lambda: call(est, name, method, Xs), "sparse")


@pytest.mark.parametrize("name", NAMES)
def test_inverse_transform_checks_its_codes(name):
    est = fitted(name)
    if not hasattr(est, "inverse_transform"):
        pytest.skip("no inverse_transform")
    k = est.transform(X[:2]).shape[1]
    for H, fragments in ((np.ones((2, k + 1)), ("shape",)), (np.ones(k), ("shape", "2D")),
                         (np.full((2, k), np.nan), ("NaN", "finite")), ("codes", ("string", "convert"))):
        raises_clearly(lambda H=H: est.inverse_transform(H), *fragments)


# ------------------------------------------------------------------ fit
@pytest.mark.parametrize("case", sorted(BAD_X))
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("name", NAMES)
def test_fit_rejects_bad_data_clearly_and_stays_unfitted(name, method, case):
    est = FAST[name]()
    if not hasattr(est, method):
        pytest.skip(f"no {method}")
    data = BAD_X[case][0]()
    y = _y(name)
    if y is not None and hasattr(data, "__len__") and case not in ("empty", "ragged"):
        y = y[: len(data)] if np.ndim(data) >= 2 else y
    kw = {"classes": np.unique(Y_CLASS)} if method == "partial_fit" and name in CLASSIFIERS else {}
    raises_clearly(lambda: _fit(est, data, y, method, **kw), *BAD_X[case][1])
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(est)), vars(est)


BAD_Y = {
    "length": (lambda name: _y(name)[:-1], ("inconsistent", "samples")),
    "nan": (lambda name: np.where(np.arange(30) == 3, np.nan, _y(name)), ("NaN",)),
    "None": (lambda name: None, ("requires y", "y should", "None")),
    "strings for a regressor": (lambda name: np.array(["a"] * 30, dtype=object),
                                ("string", "convert", "numeric", "label")),
    "continuous for a classifier": (lambda name: np.linspace(0, 1, 30),
                                    ("Unknown label type", "continuous")),
    "2-D for a classifier": (lambda name: np.c_[Y_CLASS, Y_CLASS], ("1d", "shape")),
    "3-D": (lambda name: np.zeros((30, 1, 1)), ("dim", "shape", "1d", "2d")),
}


@pytest.mark.parametrize("case", sorted(BAD_Y))
@pytest.mark.parametrize("name", SUPERVISED)
def test_fit_rejects_bad_targets_clearly(name, case):
    if case == "strings for a regressor" and name in CLASSIFIERS:
        pytest.skip("string labels are fine for a classifier")
    if case in ("continuous for a classifier", "2-D for a classifier") and name in REGRESSORS:
        pytest.skip("a regressor takes them")
    make, fragments = BAD_Y[case]
    est = FAST[name]()
    raises_clearly(lambda: est.fit(X, make(name)), *fragments)
    assert "n_features_in_" not in vars(est)


@pytest.mark.parametrize("name", NAMES)
def test_tiny_data_fits_or_says_why(name):
    """One row, or one feature: a usable model with finite outputs, or a clear error."""
    for data, y in ((X[:1], None if _y(name) is None else _y(name)[:1]),
                    (X[:, :1], _y(name))):
        est = FAST[name]()
        try:
            _fit(est, data, y)
        except (ValueError, TypeError) as error:
            assert_clear(error)
            continue
        out = est.predict(data) if hasattr(est, "predict") else est.transform(data)
        assert np.all(np.isfinite(np.asarray(out, dtype=float)))


@pytest.mark.parametrize("name", NAMES)
def test_string_and_other_odd_labels(name):
    if name not in CLASSIFIERS:
        pytest.skip("classifiers")
    labels = np.array(["cat", "dog", "emu"], dtype=object)[Y_CLASS]
    est = _fit(FAST[name](), X, labels)
    assert set(est.predict(X)) <= set(labels)
    est = _fit(FAST[name](), X, Y_CLASS * 10 - 7)  # negative, gapped integers
    assert set(est.predict(X)) <= {-7, 3, 13}


@pytest.mark.parametrize("name", NAMES)
def test_parameters_of_the_wrong_type_or_value_are_named(name):
    """scikit-learn's own check: every parameter set to a value of the wrong
    type, or outside its range, makes fit (and partial_fit) raise
    InvalidParameterError naming the parameter, before any work."""
    check_param_validation(name, FAST[name]())


@pytest.mark.parametrize("name", [n for n in NAMES if hasattr(FAST[n](), "partial_fit")])
def test_partial_fit_misuse(name):
    est = FAST[name]()
    y = _y(name)
    if name in CLASSIFIERS:
        raises_clearly(lambda: est.partial_fit(X, y), "classes")
        assert "n_features_in_" not in vars(est)
        kw = {"classes": [0, 1, 2]}
    else:
        kw = {}
    _fit(est, X, y, "partial_fit", **kw)
    raises_clearly(lambda: _fit(est, X[:, :5], y, "partial_fit"), "features")
    raises_clearly(lambda: _fit(est, X[:, :5], y, "partial_fit", **kw), "features")
    assert est.n_features_in_ == 6


SAMPLERS = [n for n in NAMES if hasattr(FAST[n](), "sample")]


@pytest.mark.parametrize("kwargs, fragments", [
    ({"n_samples": -1}, ("n_samples",)), ({"n_samples": 0}, ("n_samples",)),
    ({"n_samples": 1.5}, ("n_samples",)), ({"n_samples": "2"}, ("n_samples",)),
    ({"n_steps": -1}, ("n_steps",)), ({"n_steps": None}, ("n_steps",)),
    ({"random_state": "seed"}, ("random_state", "seed")),
])
@pytest.mark.parametrize("name", SAMPLERS)
def test_samplers_check_their_arguments(name, kwargs, fragments):
    raises_clearly(lambda: fitted(name).sample(**kwargs), *fragments)


@pytest.mark.parametrize("kwargs, fragments", [
    ({"method": "bogus"}, ("method",)), ({"method": "ais", "n_chains": 0}, ("n_chains",)),
    ({"method": "ais", "n_betas": 1}, ("n_betas",)),
    ({"method": "ais", "n_chains": 2.5}, ("n_chains",)),
])
@pytest.mark.parametrize("name", [n for n in NAMES if hasattr(FAST[n](), "log_partition")])
def test_log_partition_checks_its_arguments(name, kwargs, fragments):
    raises_clearly(lambda: fitted(name).log_partition(**kwargs), *fragments)


def test_gibbs_checks_its_steps():
    rbm = fitted("RBM")
    for steps in (-1, 1.5, "3"):
        raises_clearly(lambda steps=steps: rbm.gibbs(X, n_steps=steps), "n_steps")


# ------------------------------------------------------------ properties
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def small_data(draw, unit=False):
    n = draw(st.integers(2, 12))
    d = draw(st.integers(1, 4))
    scale = 1.0 if unit else draw(st.sampled_from([1e-3, 1.0, 1e3]))
    values = st.floats(0.0 if unit else -1.0, 1.0, allow_nan=False, width=32)
    data = draw(arrays(np.float64, (n, d), elements=values)) * scale
    return data


def _finite_or_clear(fit_and_use):
    try:
        out = fit_and_use()
    except TrainingDivergedError:
        return  # a clear error by design: the model is left at its last good state
    except (ValueError, TypeError) as error:
        assert_clear(error)
        return
    assert np.all(np.isfinite(np.asarray(out, dtype=float)))


@PROPERTY
@given(data=small_data(), sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       activation=st.sampled_from(["relu", "tanh", "logistic", "leaky_relu", "identity"]),
       solver=st.sampled_from(["sgd", "adam", "momentum", "rmsprop"]),
       lr=st.sampled_from([1e-4, 1e-2, 1.0, 1e3]), batch_norm=st.booleans(),
       dropout=st.sampled_from([0.0, 0.5]), classify=st.booleans())
def test_deep_nets_give_finite_outputs_or_a_clear_error(data, sizes, activation, solver, lr,
                                                        batch_norm, dropout, classify):
    y = (np.arange(len(data)) % 2) if classify else data.sum(axis=1)
    cls = DeepNetClassifier if classify else DeepNetRegressor
    est = cls(tuple(sizes), activation=activation, solver=solver, learning_rate_init=lr,
              batch_norm=batch_norm, dropout=dropout, max_iter=3, random_state=0)
    _finite_or_clear(lambda: _fit(est, data, y).predict(data))


@PROPERTY
@given(data=small_data(unit=True), n=st.integers(1, 5),
       method=st.sampled_from(["cd", "pcd"]), k=st.integers(1, 3),
       lr=st.sampled_from([1e-3, 0.1, 10.0, 1e4]), momentum=st.sampled_from([0.0, 0.9]),
       visible=st.sampled_from(["bernoulli", "gaussian"]))
def test_rbms_give_finite_outputs_or_a_clear_error(data, n, method, k, lr, momentum, visible):
    rbm = RBM(n, method=method, k=k, learning_rate=lr, momentum=momentum, visible=visible,
              n_iter=3, ais_betas=20, ais_chains=4, random_state=0)
    _finite_or_clear(lambda: np.r_[_fit(rbm, data, None).transform(data).ravel(),
                                   rbm.score_samples(data)])


@PROPERTY
@given(data=small_data(), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=2),
       kind=st.sampled_from(["DBNClassifier", "DBNRegressor", "StackedAutoencoderClassifier",
                             "StackedAutoencoderRegressor", "DBN", "StackedAutoencoder"]),
       lr=st.sampled_from([1e-3, 0.1, 10.0]))
def test_pretrained_estimators_give_finite_outputs_or_a_clear_error(data, sizes, kind, lr):
    est = FAST[kind]().set_params(hidden_layer_sizes=tuple(sizes))
    if kind in SUPERVISED:
        est.set_params(learning_rate_init=lr)
        y = (np.arange(len(data)) % 2) if kind in CLASSIFIERS else data.sum(axis=1)
        _finite_or_clear(lambda: _fit(est, data, y).predict(data))
    else:
        _finite_or_clear(lambda: _fit(est, data, None).transform(data))
