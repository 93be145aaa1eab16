"""Past one machine: the estimators on Dask (the ``[dask]`` extra).

``joblib.parallel_config(backend="dask")`` runs scikit-learn's searches on a
``distributed`` cluster, and ``dask_ml.wrappers.Incremental`` trains any
estimator with ``partial_fit`` over a dask array one block at a time.  Both
must give exactly what the same work gives on one machine.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from deepbelief import (
    DBM,
    DBN,
    RBM,
    DBNClassifier,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoderClassifier,
)

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
wrappers = pytest.importorskip("dask_ml.wrappers")


@pytest.fixture(autouse=True)
def dask_temporary_directory(tmp_path, monkeypatch):
    """Dask's spill and worker files go to the test's own temporary folder."""
    import dask

    monkeypatch.setenv("DASK_TEMPORARY_DIRECTORY", str(tmp_path))
    with dask.config.set({"temporary-directory": str(tmp_path)}):
        yield


X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = (X_DIGITS / 16).astype(np.float32)


def test_grid_search_on_a_dask_cluster_matches_one_machine():
    from joblib import parallel_config

    X, y = X_DIGITS[:300], Y_DIGITS[:300]
    grid = {"hidden_layer_sizes": [(16,), (32,)], "learning_rate_init": [0.05, 0.1]}
    make = lambda: GridSearchCV(  # noqa: E731
        DBNClassifier(pretrain_n_iter=2, max_iter=10, random_state=0), grid, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = make().fit(X, y)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster), parallel_config(backend="dask"):
            on_dask = make().fit(X, y)
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert on_dask.best_params_ == local.best_params_
    assert on_dask.best_score_ > 0.5  # chance is 0.1


def _params(est):
    """Every trained array of a fitted estimator, input side first."""
    if hasattr(est, "rbms_"):
        return [a for r in est.rbms_ for a in (r.components_, r.intercept_hidden_)]
    if hasattr(est, "components_"):
        return [est.components_, est.intercept_hidden_, est.intercept_visible_]
    return [*est.coefs_, *est.intercepts_]


SUPERVISED = {"DeepNetClassifier", "DBNClassifier", "StackedAutoencoderClassifier",
              "DeepNetRegressor"}


@pytest.mark.parametrize("make", [
    lambda: RBM(8, batch_size=20, random_state=0),
    lambda: DBN((8, 4), batch_size=20, random_state=0),
    lambda: DBM((8, 4), pretrain_n_iter=1, batch_size=20, n_particles=20, random_state=0),
    lambda: DeepNetClassifier((8,), batch_size=20, random_state=0),
    lambda: DBNClassifier((8,), pretrain_n_iter=2, batch_size=20, random_state=0),
    lambda: StackedAutoencoderClassifier((8,), pretrain_n_iter=2, batch_size=20,
                                         random_state=0),
    lambda: DeepNetRegressor((8,), batch_size=20, random_state=0),
], ids=lambda make: type(make()).__name__)
def test_incremental_trains_block_by_block_as_partial_fit_does(make):
    """``Incremental`` over a dask array of 4 blocks == ``partial_fit`` on each block in turn."""
    X, y = X_DIGITS[:400], Y_DIGITS[:400]
    name = type(make()).__name__
    if name == "DeepNetRegressor":
        y = X.sum(axis=1)
    Xd, yd = da.from_array(X, chunks=100), da.from_array(y, chunks=100)
    kw = {"classes": np.unique(y)} if name.endswith("Classifier") else {}
    inc = wrappers.Incremental(make(), shuffle_blocks=False)
    ref = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if name in SUPERVISED:
            inc.fit(Xd, yd, **kw)
            for k in range(4):
                ref.partial_fit(X[100 * k: 100 * (k + 1)], y[100 * k: 100 * (k + 1)], **kw)
        else:
            inc.fit(Xd)
            for k in range(4):
                ref.partial_fit(X[100 * k: 100 * (k + 1)])
    for a, b in zip(_params(inc.estimator_), _params(ref), strict=True):
        np.testing.assert_array_equal(a, b)
    # the fitted wrapper predicts or transforms dask arrays lazily, block by block
    out = inc.predict(Xd) if name in SUPERVISED else inc.transform(Xd)
    assert isinstance(out, da.Array)
    expected = ref.predict(X) if name in SUPERVISED else ref.transform(X)
    np.testing.assert_allclose(out.compute(), expected, rtol=1e-6)


def test_incremental_passes_shuffle_blocks_and_improve_the_model():
    """Several passes over shuffled blocks, as a stream would be trained; the
    DBN's score (negative reconstruction error) is what Incremental ranks."""
    X = X_DIGITS
    Xd = da.from_array(X, chunks=300)
    inc = wrappers.Incremental(DBN((32,), random_state=0), shuffle_blocks=True, random_state=0)
    inc.fit(Xd)
    first = inc.estimator_.score(X)
    for _ in range(3):
        inc.partial_fit(Xd)  # one more pass, continuing (fit would start afresh)
    assert inc.estimator_.score(X) > first
    assert len(inc.estimator_.rbms_[0].history_["seconds"]) == 4 * 6
