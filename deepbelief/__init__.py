"""deepbelief: Boltzmann machines and deep belief networks for scikit-learn."""

from ._version import __version__
from .estimators.autoencoder import StackedAutoencoder
from .estimators.autoencoder_nets import (
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from .estimators.dbm import DBM
from .estimators.dbm_classifier import DBMClassifier
from .estimators.dbn import DBN
from .estimators.dbn_nets import DBNClassifier, DBNRegressor
from .estimators.deepnet import DeepNetClassifier, DeepNetRegressor
from .estimators.rbm import RBM

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
