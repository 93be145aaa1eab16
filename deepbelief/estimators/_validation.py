"""Input checks shared by the estimators."""

import functools
import warnings
from contextlib import contextmanager
from numbers import Integral

import numpy as np

from .._sklearn import _fit_context
from ..math.units import check_groups, unit_type
from ..training.progress import estimator_phase

#: how far data meant for Bernoulli units may lie outside [0, 1] at ``fit`` (rounding
#: errors, e.g. MinMaxScaler's float64 output cast to float32) before it is an error
RANGE_TOL = 1e-3
#: held-out data (``transform``, ``predict``, ``score``, ...) may lie outside [0, 1]:
#: rows scaled with the training data's statistics overshoot, on few values (at
#: most 3 % of them in 5-fold MinMaxScaler splits of the bundled data sets; a rare
#: pixel of digits reaches 4) or, after a tiny training set, on many by a little
#: (a value of a new row leaves the range of 16 training rows with chance 2/17);
#: they are clipped.  Data on another scale does both: more than this fraction
#: of its values outside (raw pixels: 19 % of MNIST's, 48 % of digits';
#: standardized features: 65-75 %) and some beyond ``HELD_OUT_REACH`` of [0, 1].
HELD_OUT_FRACTION = 0.1
HELD_OUT_REACH = 1.0


def _value_range(X):
    data = X.data if hasattr(X, "toarray") else X
    if not data.size:
        return 0.0, 0.0
    low, high = float(data.min()), float(data.max())
    if hasattr(X, "toarray") and data.size < X.shape[0] * X.shape[1]:
        low, high = min(low, 0.0), max(high, 0.0)  # the implicit zeros
    return low, high


def fraction_outside(X, tol=RANGE_TOL):
    """The fraction of the values of ``X`` (dense or sparse) outside [-tol, 1 + tol]."""
    data = X.data if hasattr(X, "toarray") else X
    n = X.shape[0] * X.shape[1]
    if not n:
        return 0.0
    return float(np.count_nonzero(data < -tol) + np.count_nonzero(data > 1 + tol)) / n


def in_unit_interval(X, tol=RANGE_TOL):
    """Whether every value of ``X`` (dense or sparse) lies in [-tol, 1 + tol]."""
    low, high = _value_range(X)
    return low >= -tol and high <= 1 + tol


def clip_unit_interval(X):
    """``X`` with its values clipped into [0, 1]: a copy when any lies outside, else ``X``."""
    low, high = _value_range(X)
    if low >= 0 and high <= 1:
        return X
    if hasattr(X, "toarray"):
        X = X.copy()
        np.clip(X.data, 0, 1, out=X.data)
        return X
    return np.clip(X, 0, 1)


def check_unit_interval(X, what="Bernoulli visible units", fit=True):
    """The range rule of data read as probabilities in [0, 1] (Bernoulli units).

    At ``fit`` (``fit=True``) values may lie outside [0, 1] by at most
    ``RANGE_TOL`` (rounding errors) and are clipped; data plainly outside
    (standardized features, raw pixels 0-255) raises ``ValueError``.  After
    fitting (``transform``, ``predict``, ``score``, ...) held-out rows scaled
    with the training data's statistics legitimately overshoot on a few values,
    which are clipped into [0, 1]; data on another scale (more than
    ``HELD_OUT_FRACTION`` of the values outside, and some beyond
    ``HELD_OUT_REACH`` of the interval) raises ``ValueError``.
    Returns the (clipped) data; ``X`` itself is never modified.
    """
    if in_unit_interval(X):
        return clip_unit_interval(X)
    share = fraction_outside(X)
    low, high = _value_range(X)
    far = low < -HELD_OUT_REACH or high > 1 + HELD_OUT_REACH
    if fit or (share > HELD_OUT_FRACTION and far):
        raise ValueError(
            f"{what} need data in [0, 1]; got values in [{low:.6g}, {high:.6g}]"
            + ("" if fit else f", {share:.0%} of them outside (held-out rows scaled with "
                              "the training data's statistics overshoot on a few values, or by "
                              "a little, and are clipped)")
            + ". Scale the data (e.g. MinMaxScaler) or use visible='gaussian' on "
            "standardized data."
        )
    return clip_unit_interval(X)


def check_visible_data(X, visible, dynamic_binarization, fit=True, groups=None):
    """The data checks of a model with ``visible`` units (:mod:`deepbelief.math.units`):
    the [0, 1] rule of :func:`check_unit_interval` for bounded types (Bernoulli,
    categorical), and at ``fit`` one-hot groups for grouped ones (each group of
    ``groups`` sizes sums to 1); dynamic binarization (data read as
    probabilities) needs binary units."""
    kind = unit_type(visible)
    if dynamic_binarization and not kind.binary:
        raise ValueError("dynamic_binarization=True needs visible='bernoulli' (the data are "
                         f"read as probabilities in [0, 1]); got visible={visible!r}.")
    if kind.binary:
        return check_unit_interval(X, fit=fit)
    if kind.bounded:
        X = check_unit_interval(X, f"{visible} visible units", fit=fit)
    if fit and groups is not None:
        _check_one_hot_groups(X, groups)
    return X


def visible_groups(visible, n_categories, n_features):
    """The group sizes of categorical visible units, a tuple (None for other
    types); an error when ``n_categories`` is given for another type or does
    not fit."""
    if visible == "categorical":
        return tuple(int(k) for k in check_groups(n_features, n_categories))
    if n_categories is not None:
        raise ValueError(f"n_categories is for visible='categorical'; got visible={visible!r}.")
    return None


def _check_one_hot_groups(X, sizes):
    """Each row's values in every group of ``sizes`` consecutive features sum to 1."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ends = np.cumsum(sizes)
    cum = np.zeros((X.shape[0], 1 + X.shape[1]))
    cum[:, 1:] = np.cumsum(X.toarray() if hasattr(X, "toarray") else X, axis=1)
    sums = cum[:, ends] - cum[:, starts]
    bad = np.abs(sums - 1.0) > RANGE_TOL
    if bad.any():
        row, group = np.argwhere(bad)[0]
        raise ValueError(
            f"categorical visible units need one-hot groups (each group of n_categories "
            f"consecutive features summing to 1, as OneHotEncoder writes them); "
            f"{int(bad.any(axis=1).sum())} rows break it, the first row {row} in group "
            f"{group} (features {starts[group]}-{ends[group] - 1}, sum {sums[row, group]:g}).")


def fit_unit_scaling(X):
    """Per-feature ``(offset, scale)`` mapping the training data's range onto [0, 1].

    Constant features get scale 1 (they map to 0).  Float64 statistics, returned
    in ``X``'s dtype.
    """
    low = np.min(X, axis=0).astype(np.float64)
    span = np.max(X, axis=0).astype(np.float64) - low
    scale = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 1.0)
    return low.astype(X.dtype), scale.astype(X.dtype)


def apply_unit_scaling(X, offset, scale):
    """``clip((X - offset) * scale, 0, 1)``: a new array in ``X``'s dtype."""
    out = X - offset
    out *= scale
    return np.clip(out, 0, 1, out=out)


def make_generator(random_state):
    """A :class:`numpy.random.Generator` drawn from sklearn's ``random_state``.

    ``None``/int/``RandomState`` go through :func:`sklearn.utils.check_random_state`
    and seed a new ``Generator`` (which can draw float32 uniforms in place); a
    ``Generator`` is used as it is.
    """
    from sklearn.utils import check_random_state

    if isinstance(random_state, np.random.Generator):
        return random_state
    rs = check_random_state(random_state)
    return np.random.default_rng(rs.randint(0, 2**31 - 1, size=4))



def check_hidden_layer_sizes(sizes):
    """``hidden_layer_sizes`` as a list of positive ints (an int is one layer):
    at least one layer, integer widths, each at least 1."""
    listed = [sizes] if np.ndim(sizes) == 0 else list(sizes)
    if not listed:
        raise ValueError("hidden_layer_sizes must name at least one hidden layer; got ().")
    if not all(isinstance(s, Integral) and not isinstance(s, bool) for s in listed):
        raise ValueError(f"hidden_layer_sizes must be integers; got {sizes}.")
    if any(s < 1 for s in listed):
        raise ValueError(f"hidden_layer_sizes must be positive; got {sizes}.")
    return [int(s) for s in listed]


def check_hidden_states(H, n_hidden, dtype):
    """``H`` as a finite ``(n_samples, n_hidden)`` array of ``dtype``."""
    H = np.asarray(H, dtype=dtype)
    if H.ndim != 2 or H.shape[1] != n_hidden:
        raise ValueError(f"H must have shape (n_samples, {n_hidden}); got {H.shape}.")
    if not np.isfinite(H).all():
        raise ValueError("H contains NaN or infinity.")
    return H


def column_means(X):
    """Feature means in float64, identical for dense and CSR input."""
    if hasattr(X, "toarray"):
        sums = np.bincount(X.indices, weights=X.data, minlength=X.shape[1])
    else:
        sums = X.sum(axis=0, dtype=np.float64)
    return sums / X.shape[0]


def running_column_means(mean, n_seen, X):
    """The feature means of ``n_seen`` earlier rows updated with the rows of ``X``."""
    total = n_seen + X.shape[0]
    return mean + (column_means(X) - mean) * (X.shape[0] / total), total


def check_count(value, name, minimum):
    """``value`` as an int of at least ``minimum`` (a clear error otherwise)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def check_sampling(n_samples, n_steps):
    """The ``sample`` arguments: at least one chain, any number of sweeps."""
    return check_count(n_samples, "n_samples", 1), check_count(n_steps, "n_steps", 0)


def check_same_architecture(fitted, asked, what):
    """A model continued by ``warm_start`` or ``partial_fit`` keeps its shape:
    an error naming both when the parameters now ask for another."""
    if list(fitted) != list(asked):
        raise ValueError(f"warm_start and partial_fit continue the fitted model, whose {what} "
                         f"is {list(fitted)}; the parameters now ask for {list(asked)}.  Set "
                         "warm_start=False (or fit a new estimator) to change it.")


@contextmanager
def all_or_nothing(est, what):
    """A fit that fails leaves ``est`` as it was before it (unfitted, or the
    model of the previous fit): never half-fitted.

    An exception is raised on; an interrupt (Ctrl-C) warns that ``what`` was
    interrupted and returns, so that ``fit`` returns the unchanged estimator.
    """
    before = dict(vars(est))
    try:
        yield
    except BaseException as error:
        vars(est).clear()
        vars(est).update(before)
        if not isinstance(error, KeyboardInterrupt):
            raise
        warnings.warn(f"Training interrupted by user during {what}; the "
                      f"{type(est).__name__} is left as it was before this fit"
                      f"{'' if 'n_features_in_' in before else ' (unfitted)'}.",
                      UserWarning, stacklevel=3)


def fit_context(**kwargs):
    """scikit-learn's ``_fit_context`` (parameter validation) around a fit
    method, which also runs as the estimator's phase of the verbose output
    (:func:`deepbelief.training.progress.estimator_phase`)."""
    def decorate(fit):
        validated = _fit_context(**kwargs)(fit)

        @functools.wraps(fit)
        def wrapper(est, *args, **kw):
            with estimator_phase(est):
                return validated(est, *args, **kw)

        return wrapper

    return decorate
