"""deepbelief: Boltzmann machines and deep belief networks for scikit-learn."""

from .deepnet import DeepNetClassifier, DeepNetRegressor
from .rbm import RBM

__version__ = "0.1.0"

__all__ = ["RBM", "DeepNetClassifier", "DeepNetRegressor", "__version__"]
