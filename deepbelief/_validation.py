"""Input checks shared by the estimators."""

import numpy as np


def check_unit_interval(X, what="Bernoulli visible units"):
    """Raise ``ValueError`` unless every value of ``X`` (dense or sparse) is in [0, 1]."""
    data = X.data if hasattr(X, "toarray") else X
    if data.size and (data.min() < 0 or data.max() > 1):
        raise ValueError(
            f"{what} need data in [0, 1]; got values in [{data.min():g}, {data.max():g}]. "
            "Scale the data (e.g. MinMaxScaler) or use visible='gaussian' on "
            "standardized data."
        )
    return X


def check_visible_data(X, visible, dynamic_binarization):
    """The data checks of a model with ``visible`` units: [0, 1] for Bernoulli
    units; dynamic binarization (data read as probabilities) needs them."""
    if visible == "bernoulli":
        return check_unit_interval(X)
    if dynamic_binarization:
        raise ValueError("dynamic_binarization=True needs visible='bernoulli' (the data are "
                         f"read as probabilities in [0, 1]); got visible={visible!r}.")
    return X


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


def cached_log_partition(estimator, arrays):
    """``estimator.log_partition()`` computed once per set of parameters.

    The cache key is a hash of ``arrays`` (the parameters) with the visible
    unit type and the AIS settings, so ``score_samples`` is deterministic for a
    fitted model and recomputed after any further training.
    """
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for a in arrays:
        digest.update(np.ascontiguousarray(a).tobytes())
    key = (digest.hexdigest(), estimator.visible, estimator.ais_chains, estimator.ais_betas)
    cache = estimator.__dict__.setdefault("_log_z_cache", {})
    if key not in cache:
        cache.clear()
        cache[key] = estimator.log_partition()
    return cache[key]
