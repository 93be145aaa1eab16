"""scikit-learn's estimator checks for the DBN and deep-net estimators.

As for ``RBM``, Bernoulli visible units reject the checks' data (outside
[0, 1]) by design, so the DBN estimators run the checks with Gaussian visible
units (same code path otherwise) and the Bernoulli variants list the
range-check failures, verified in ``test_rbm_checks.py`` for the RBM itself.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbelief import (
    DBN,
    DBNClassifier,
    DBNRegressor,
    DeepNetClassifier,
    DeepNetRegressor,
)

from .test_rbm_checks import RANGE_CHECKS, RANGE_REASON

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL_PRETRAIN = dict(hidden_layer_sizes=(8,), pretrain_n_iter=2, pretrain_batch_size=10,
                      pretrain_learning_rate=0.01, visible="gaussian", learning_rate_init=0.05,
                      max_iter=100, batch_size=20, random_state=0)
ESTIMATORS = [
    DeepNetClassifier((16,), max_iter=100, learning_rate_init=0.01, random_state=0),
    DeepNetClassifier((8, 8), activation="tanh", batch_norm=True, residual=True, dropout=0.1,
                      solver="nesterov", learning_rate_init=0.05, max_iter=100, random_state=0),
    DeepNetRegressor((16,), max_iter=200, learning_rate_init=0.01, random_state=0),
    DeepNetClassifier((16,), solver="cg", batch_size=200, max_iter=30, random_state=0),
    DBNClassifier(**SMALL_PRETRAIN),
    DBNRegressor(**{**SMALL_PRETRAIN, "learning_rate_init": 0.01, "max_iter": 200}),
    DBN(hidden_layer_sizes=(6, 4), visible="gaussian", learning_rate=0.01, n_iter=2,
        random_state=0),
    DBN(hidden_layer_sizes=(6, 4), n_iter=2, random_state=0),
]


def _expected_failures(est):
    if isinstance(est, DBN) and est.visible == "bernoulli":
        return {name: RANGE_REASON for name in RANGE_CHECKS}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
