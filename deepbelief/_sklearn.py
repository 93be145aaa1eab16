"""The one home of scikit-learn's private names that the estimators use.

scikit-learn keeps its parameter validation (``Interval``, ``StrOptions``) and
the ``_fit_context`` decorator private, and vendors ``array_api_compat``; every estimator imports them from
here, so a change across scikit-learn versions is mended in one place.
"""

from sklearn.base import _fit_context
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["Interval", "StrOptions", "_fit_context", "array_namespace"]
