
import numpy as np
import pytest


def tiny_rbm(n_visible=12, n_hidden=8, scale=0.5, seed=0, dtype=np.float64):
    """Random parameters of a small RBM, large enough to be far from independent."""
    rng = np.random.default_rng(seed)
    W = rng.normal(0, scale, (n_visible, n_hidden)).astype(dtype)
    b = rng.normal(0, 0.5, n_visible).astype(dtype)
    c = rng.normal(0, 0.5, n_hidden).astype(dtype)
    return W, b, c


@pytest.fixture
def mnist_path():
    from deepbelief.datasets import find_mnist

    path = find_mnist()
    if path is None:
        pytest.skip("MNIST not found ($DEEPBELIEF_MNIST, the cache, ../shared/data/mnist.npz)")
    return path


@pytest.fixture(scope="module")
def digits_split():
    """Digits in [0, 1], stratified 70/30: (X_train, X_test, y_train, y_test)."""
    from sklearn.model_selection import train_test_split

    from deepbelief.datasets import load_digits_unit

    X, y = load_digits_unit()
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


class ConstantRNG:
    """Stand-in generator: uniforms are all ``u``, normals all ``z``, no shuffling.

    It makes sampling a deterministic threshold (``x = p > u``), so the
    optimized loop can be compared exactly with a reference written with the
    pure functions.
    """

    def __init__(self, u=0.5, z=0.25):
        self.u, self.z = u, z

    def random(self, size=None, dtype=np.float64, out=None):
        if out is None:
            return np.full(size, self.u, dtype=dtype)
        out[...] = self.u
        return out

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if out is None:
            return np.full(size, self.z, dtype=dtype)
        out[...] = self.z
        return out

    def permutation(self, n):
        return np.arange(n)

    def choice(self, n, size, replace=True):
        return np.arange(size) % n
