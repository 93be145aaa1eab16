"""What the RBM and the DBM share as likelihood models: ``log Z``, exact or by
AIS, cached per set of parameters, and the log-likelihood (or its bound) of
each sample."""

import hashlib
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..math import energy
from ..math.ais import base_visible_bias
from ._validation import check_count, make_generator

#: exact ``log Z`` when at most this many binary units are to be enumerated
EXACT_MAX_UNITS = 20


class LikelihoodMixin:
    """``log_partition``, ``score_samples`` and ``score`` of a Boltzmann machine.

    The model provides ``_n_enumerated()`` (how many binary units exact
    enumeration would sum over), ``_exact_log_partition()``,
    ``_ais_log_partition(n_chains, n_betas, rng)`` (an ``AISResult``),
    ``_unnormalized_log_prob(X)`` (``-F(x)``, or the variational bound before
    ``log Z``) and ``_likelihood_params()`` (the arrays ``log Z`` depends on).
    """

    def log_partition(self, method="auto", *, n_chains=None, n_betas=None, random_state=None,
                      return_bounds=False):
        """Log partition function ``log Z`` of the model.

        Parameters
        ----------
        method : {"auto", "exact", "ais"}
            ``"exact"`` enumerates the smaller set of states (feasible up to
            about 20 binary units); ``"ais"`` runs annealed importance sampling
            from a base model with the training data's marginals; ``"auto"``
            picks exact when it has at most 20 units to enumerate.
        n_chains, n_betas : int, optional
            AIS runs and inverse temperatures (default ``ais_chains``,
            ``ais_betas``).
        random_state : int, RandomState, Generator or None
            Seed of AIS.  Default: the model's own (``self.random_state`` when
            it is an int, else a seed drawn once per model), and with the
            model's ``ais_chains`` and ``ais_betas`` the value is the one
            :meth:`score_samples` uses, computed once per set of parameters.
        return_bounds : bool
            Also return ``(low, high)``: AIS's ``log(mean(w) -/+ 3 se)``
            interval; equal to the value for exact enumeration.

        Returns
        -------
        log_z : float
        bounds : tuple of float, only when ``return_bounds``
        """
        check_is_fitted(self)
        if method == "auto":
            method = "exact" if self._n_enumerated() <= EXACT_MAX_UNITS else "ais"
        if method not in ("exact", "ais"):
            raise ValueError(f"method must be 'auto', 'exact' or 'ais'; got {method!r}.")
        if method == "ais" and (n_chains, n_betas, random_state) != (None, None, None):
            value, bounds = self._compute_log_partition(method, n_chains, n_betas, random_state)
        else:  # the model's own settings: the value score_samples uses
            value, bounds = self._cached_log_partition(method)
        return (value, bounds) if return_bounds else value

    def _ais_seed(self):
        """The seed of AIS with the model's settings: ``random_state`` when it is
        an int, else one drawn from the OS once per model, so that repeated
        calls and ``score_samples`` agree without touching the training stream."""
        if isinstance(self.random_state, Integral):
            return self.random_state
        if self.__dict__.get("_ais_entropy") is None:
            self._ais_entropy = int(np.random.SeedSequence().entropy % 2**32)
        return self._ais_entropy

    def _compute_log_partition(self, method, n_chains=None, n_betas=None, seed=None):
        """``(log Z, (low, high))`` by ``method``, AIS with the given settings."""
        if method == "exact":
            value = self._exact_log_partition()
            return value, (value, value)
        result = self._ais_log_partition(
            check_count(self.ais_chains if n_chains is None else n_chains, "n_chains", 2),
            check_count(self.ais_betas if n_betas is None else n_betas, "n_betas", 2),
            make_generator(self._ais_seed() if seed is None else seed))
        return result.log_z, (result.log_z_low, result.log_z_high)

    def _chains_at_the_data_marginals(self, n_samples, units, dtype, rng):
        """``(v, E[v])`` of ``n_samples`` sampling chains started at the base
        model of independent visible units with the training data's marginals."""
        base = base_visible_bias(self._data_mean, units).astype(dtype)
        mean = units.mean(np.broadcast_to(base, (n_samples, units.n)).copy())
        return energy.sample_visibles(mean, rng, units), mean

    def _cached_log_partition(self, method="auto"):
        """``(log Z, (low, high))`` with the model's own settings, computed once
        per set of parameters.

        The cache key is a hash of the parameters with the visible unit type,
        the method and the AIS settings, so ``score_samples`` is deterministic
        for a fitted model and recomputed after any further training.
        """
        if method == "auto":
            method = "exact" if self._n_enumerated() <= EXACT_MAX_UNITS else "ais"
        digest = hashlib.blake2b(digest_size=16)
        for a in self._likelihood_params():
            digest.update(np.ascontiguousarray(a).tobytes())
        key = (digest.hexdigest(), self.visible, method, self.ais_chains, self.ais_betas,
               self._ais_seed() if method == "ais" else None)
        cache = self.__dict__.setdefault("_log_z_cache", {})
        if key not in cache:
            cache.clear()
            cache[key] = self._compute_log_partition(method)
        return cache[key]

    def score_samples(self, X):
        """Log-likelihood of each sample (for the DBM its variational lower bound), nats.

        ``log Z`` is exact for small models and an AIS estimate otherwise (see
        :meth:`log_partition`), computed once per set of parameters with the
        model's ``random_state``, so repeated calls agree.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        return self._unnormalized_log_prob(X) - self._cached_log_partition()[0]

    def score(self, X, y=None):
        """Mean of :meth:`score_samples` (nats per sample)."""
        return float(np.mean(self.score_samples(X)))
