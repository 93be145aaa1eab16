"""scikit-learn's estimator checks on every supervised estimator at its defaults.

Only the layer sizes are made small (for speed, through parameters); every
other parameter is the default, and no check is skipped or expected to fail:
the checks feed standardized and negative data, one class, one sample, one
feature, 2-D targets, and the estimators must take all of it.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbelief import (
    DBM,
    DBMClassifier,
    DBNClassifier,
    DBNRegressor,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DEFAULTS = [
    DBNClassifier((16,), random_state=0),
    DBNRegressor((16,), random_state=0),
    DBMClassifier(DBM((8, 8)), random_state=0),
    StackedAutoencoderClassifier((16,), random_state=0),
    StackedAutoencoderRegressor((16,), random_state=0),
    DeepNetClassifier(random_state=0),
    DeepNetRegressor(random_state=0),
]


@parametrize_with_checks(DEFAULTS)
def test_defaults_pass_every_check(estimator, check):
    check(estimator)
