"""Saving and loading: skops.io (safe) and pickle, the stored version."""

import io
import pickle
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from deepbelief import DBM, DBN, DBNClassifier, DeepNetClassifier, StackedAutoencoder
from deepbelief.errors import InconsistentVersionWarning

from .test_bad_input_suite import CLASSIFIERS, FAST, X, _y

pytest.importorskip("skops")
from deepbelief.persistence import TRUSTED_TYPES, load, save, untrusted_types  # noqa: E402

VARIANTS = {
    **FAST,
    "DeepNetClassifier adam batch_norm early_stopping": lambda: DeepNetClassifier(
        (4,), solver="adam", batch_norm=True, early_stopping=True, max_iter=3, random_state=0),
    "StackedAutoencoder rbm": lambda: StackedAutoencoder((4,), pretrain="rbm", pretrain_n_iter=1,
                                                         max_iter=1, random_state=0),
    "DBNClassifier with a fitted dbn": lambda: DBNClassifier(
        (4,), dbn=DBN((4,), n_iter=1, random_state=0).fit(X), max_iter=2, random_state=0),
}


def _fitted(key):
    est = VARIANTS[key]()
    name = key.split()[0]
    y = _y(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (est.fit(X, y) if y is not None else est.fit(X)), y


def _outputs(est):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    return est.predict(X) if hasattr(est, "predict") else est.transform(X)


@pytest.mark.parametrize("key", sorted(VARIANTS))
def test_skops_round_trip_is_exact_and_needs_no_extra_trust(key, tmp_path):
    est, y = _fitted(key)
    path = tmp_path / "model.skops"
    save(est, path)
    assert untrusted_types(path) == []
    back = load(path)
    np.testing.assert_array_equal(_outputs(back), _outputs(est))
    # the training state came along: both continue alike, draw for draw
    if hasattr(est, "partial_fit"):
        kw = {"classes": np.unique(y)} if key.split()[0] in CLASSIFIERS else {}
        args = (X, y) if y is not None else (X,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.partial_fit(*args, **kw)
            back.partial_fit(*args, **kw)
        np.testing.assert_array_equal(_outputs(back), _outputs(est))


class Halve(TransformerMixin, BaseEstimator):
    """A user's own step: skops must not rebuild it unless told to trust it."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) / 2


def test_load_refuses_types_it_does_not_know(tmp_path):
    pipe = make_pipeline(Halve(), DBN((4,), n_iter=1, random_state=0))
    pipe.fit(X)
    path = tmp_path / "pipe.skops"
    save(pipe, path)
    unknown = untrusted_types(path)
    assert unknown == ["tests.test_persistence.Halve"]
    with pytest.raises(ValueError, match=r"not deepbelief's: \['tests.test_persistence.Halve'\]"):
        load(path)
    back = load(path, trusted=unknown)
    np.testing.assert_array_equal(back.transform(X), pipe.transform(X))
    with open(path, "rb") as f:  # a file object as well as a path
        np.testing.assert_array_equal(load(f, trusted=unknown).transform(X), pipe.transform(X))


def test_every_trusted_type_names_a_deepbelief_class():
    for name in TRUSTED_TYPES:
        module, _, cls = name.rpartition(".")
        assert isinstance(getattr(sys.modules.get(module) or __import__(module, fromlist=[cls]),
                                  cls), type)


@pytest.mark.parametrize("how", ["pickle", "skops"])
def test_loading_under_another_version_warns(how, monkeypatch, tmp_path):
    import deepbelief.estimators._persistence as persistence

    est = DBM((4,), pretrain_n_iter=1, n_iter=1, random_state=0).fit(X)
    assert est.__getstate__()["_deepbelief_version"] == persistence.__version__
    if how == "pickle":
        data = pickle.dumps(est)
        reload = lambda: pickle.loads(data)  # noqa: E731
    else:
        path = tmp_path / "m.skops"
        save(est, path)
        reload = lambda: load(path)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        back = reload()  # the same version: silent
    assert "_deepbelief_version" not in vars(back)
    monkeypatch.setattr(persistence, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning, match="saved under deepbelief 0.1.0 loaded "
                                                        "under deepbelief 99.0") as record:
        back = reload()
    assert record[0].message.original_version == "0.1.0"
    np.testing.assert_array_equal(back.transform(X), est.transform(X))


def test_a_missing_skops_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ImportError, match=r"pip install 'deepbelief\[skops\]'"):
        save(DBN(), io.BytesIO())
