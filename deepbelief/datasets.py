"""Data sets: scikit-learn's digits (bundled) and MNIST (a file, or fetched once).

MNIST is looked for (:func:`find_mnist`, the one locator the loader, the
benchmarks and the tests share), in order, at the ``path`` argument, at the
file named by the ``DEEPBELIEF_MNIST`` environment variable, in the cache
folder (``DEEPBELIEF_DATA`` or ``~/.cache/deepbelief``), and at
``shared/data/mnist.npz`` beside a source checkout; failing those it is
downloaded once with :func:`sklearn.datasets.fetch_openml` and cached as
``mnist.npz`` with arrays ``X_train``, ``y_train``, ``X_test``, ``y_test``.
"""

import os
from pathlib import Path

import numpy as np

MNIST_ENV = "DEEPBELIEF_MNIST"
DATA_ENV = "DEEPBELIEF_DATA"


def load_digits_unit(dtype=np.float32, return_X_y=True):
    """scikit-learn's 8x8 digits scaled to [0, 1] (pixel / 16), as ``(X, y)``."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(dtype), d.target


def data_home():
    """Cache folder: ``$DEEPBELIEF_DATA`` or ``~/.cache/deepbelief``."""
    return Path(os.environ.get(DATA_ENV, Path.home() / ".cache" / "deepbelief"))


#: a shared copy beside the source checkout (``<checkout>/../shared/data``)
CHECKOUT_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist.npz"


def find_mnist(path=None):
    """The MNIST ``.npz`` that :func:`load_mnist` reads, or None if it would download.

    Looks at ``path``, ``$DEEPBELIEF_MNIST``, the cache folder
    (:func:`data_home`) and ``shared/data/mnist.npz`` beside a source
    checkout, in that order.  A ``path`` or ``$DEEPBELIEF_MNIST`` naming a
    file that does not exist is an error (nothing is downloaded then).
    """
    env = os.environ.get(MNIST_ENV)
    for named, where in ((path, "MNIST file"), (env, f"${MNIST_ENV} names {env}, but that file")):
        if named is not None:
            if not Path(named).is_file():
                raise FileNotFoundError(f"{where} does not exist.")
            return Path(named)
    for c in (data_home() / "mnist.npz", CHECKOUT_MNIST):
        if Path(c).is_file():
            return Path(c)
    return None


def load_mnist(path=None, *, dtype=np.float32, scale=True, download=True):
    """MNIST, standard 60,000 / 10,000 split.

    Parameters
    ----------
    path : str or Path, optional
        An ``.npz`` with ``X_train``, ``y_train``, ``X_test``, ``y_test``.
    dtype : numpy dtype
        Dtype of the returned images.
    scale : bool
        Divide pixels by 255 (into [0, 1]).
    download : bool
        Fetch from OpenML (and cache) when no file is found.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarrays
        Images of shape (n, 784) and integer labels.
    """
    found = find_mnist(path)
    if found is None:
        if not download:
            raise FileNotFoundError(
                f"MNIST not found: pass path=, set ${MNIST_ENV}, or allow download."
            )
        found = _fetch_mnist()
    with np.load(found) as d:
        arrays = [d["X_train"], d["y_train"], d["X_test"], d["y_test"]]
    X_train, y_train, X_test, y_test = arrays
    if scale:
        X_train = (X_train / np.asarray(255, dtype=dtype)).astype(dtype, copy=False)
        X_test = (X_test / np.asarray(255, dtype=dtype)).astype(dtype, copy=False)
    else:
        X_train, X_test = X_train.astype(dtype), X_test.astype(dtype)
    return X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64)


def _fetch_mnist():
    from sklearn.datasets import fetch_openml

    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    X, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False,
                        data_home=str(home))
    X = np.asarray(X, dtype=np.uint8)
    y = np.asarray(y).astype(np.uint8)
    target = home / "mnist.npz"
    np.savez_compressed(
        target, X_train=X[:60000], y_train=y[:60000], X_test=X[60000:], y_test=y[60000:]
    )
    return target


def binarize_stochastic(X, random_state=0, dtype=None):
    """Binarize grey values once: each pixel is 1 with probability ``X`` (in [0, 1]).

    The convention behind published MNIST log-likelihoods (Salakhutdinov &
    Murray 2008): a Bernoulli likelihood of grey values is not a probability.
    """
    from .estimators._validation import make_generator

    X = np.asarray(X)
    rng = make_generator(random_state)
    dtype = X.dtype if dtype is None else dtype
    return (rng.random(X.shape, dtype=np.float32) < X).astype(dtype)
