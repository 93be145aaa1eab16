"""What a saved model carries: the deepbelief version that saved it.

Pickle, joblib and ``skops.io`` all save an estimator through
``__getstate__`` and restore it through ``__setstate__``; the mixin adds the
package version to the state and warns
(:class:`~deepbelief.errors.InconsistentVersionWarning`) when a model comes
back under another version, as scikit-learn does for its own.
"""

import warnings

from .._version import __version__
from ..errors import InconsistentVersionWarning


class VersionedStateMixin:
    """Stores ``__version__`` in the saved state; warns on loading under another."""

    def __getstate__(self):
        state = super().__getstate__()
        if type(self).__module__.startswith("deepbelief."):
            state = {**state, "_deepbelief_version": __version__}
        return state

    def __setstate__(self, state):
        # models saved before the version was stored are all from 0.1.0
        saved = state.pop("_deepbelief_version", "0.1.0")
        if saved != __version__:
            warnings.warn(InconsistentVersionWarning(
                estimator_name=type(self).__name__, current_version=__version__,
                original_version=saved), stacklevel=2)
        super().__setstate__(state)
