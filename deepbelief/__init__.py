"""deepbelief: Boltzmann machines and deep belief networks for scikit-learn."""

from .autoencoder import (
    StackedAutoencoder,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from .dbm import DBM
from .dbm_classifier import DBMClassifier
from .dbn import DBN, DBNClassifier, DBNRegressor
from .deepnet import DeepNetClassifier, DeepNetRegressor
from .rbm import RBM

__version__ = "0.1.0"

__all__ = [
    "RBM",
    "DBN",
    "DBNClassifier",
    "DBNRegressor",
    "DBM",
    "DBMClassifier",
    "StackedAutoencoder",
    "StackedAutoencoderClassifier",
    "StackedAutoencoderRegressor",
    "DeepNetClassifier",
    "DeepNetRegressor",
    "__version__",
]
