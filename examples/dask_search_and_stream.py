"""
========================================
On Dask: a grid search and a data stream
========================================

Two ways past one process, with the ``[dask]`` extra
(``pip install "deepbelief[dask]"``):

* ``joblib.parallel_config(backend="dask")`` sends the fits of a
  :class:`~sklearn.model_selection.GridSearchCV` to the workers of a
  ``distributed`` cluster (here a :class:`distributed.LocalCluster`; a
  cluster of machines works the same, through its scheduler's address);
* :class:`dask_ml.wrappers.Incremental` trains any estimator with
  ``partial_fit`` over a dask array one block at a time, so the data never
  has to fit in memory: :class:`deepbelief.RBM`, :class:`deepbelief.DBN`
  (every layer on each block, layer by layer), :class:`deepbelief.DBM` and
  the deep nets.

A ``LocalCluster`` starts worker processes, which import this script: the
``if __name__ == "__main__":`` guard keeps them from starting clusters of
their own.  This example is shown, not run, by the documentation build.
"""

import warnings

import dask
import dask.array as da
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from deepbelief import DBN, DBNClassifier


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)

    # 1. a grid search whose fits run on the cluster's workers
    grid = {"hidden_layer_sizes": [(64,), (128,)], "learning_rate_init": [0.05, 0.1]}
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
        with parallel_config(backend="dask"):
            search = GridSearchCV(DBNClassifier(random_state=0), grid, cv=3).fit(X, y)
    print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

    # 2. a DBN trained block by block over a dask array (here from memory; from
    #    disk, build the array from blocks that read the file: dask.delayed +
    #    da.from_delayed, or da.from_zarr)
    Xd = da.from_array(X, chunks=300)
    # one worker thread: with more, the local scheduler reads blocks ahead
    with dask.config.set(scheduler="threads", num_workers=1):
        inc = Incremental(DBN((64, 32), random_state=0), shuffle_blocks=True, random_state=0)
        inc.fit(Xd)  # the first pass
        for _ in range(9):
            inc.partial_fit(Xd)  # nine more, continuing
    dbn = inc.estimator_
    print(f"DBN after 10 passes: reconstruction error {dbn.reconstruction_error(X):.2f}")
    codes = inc.transform(Xd)  # lazily, block by block
    # (dask-ml declares no output width: the lazy array shows the input's until computed)
    print("codes:", codes.compute().shape)


if __name__ == "__main__":
    main()
