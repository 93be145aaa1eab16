"""The RBM as a generative model: Gibbs sampling, free energy and likelihood."""

import math

from sklearn.utils.validation import check_is_fitted

from ..math import energy
from ..math.ais import ais_log_partition, base_visible_bias
from ..math.partition import log_partition_exact
from ..math.units import unit_type
from ._validation import check_count, check_sampling, make_generator
from .likelihood import LikelihoodMixin


class RBMGenerativeMixin(LikelihoodMixin):
    """Sampling and likelihood methods of :class:`deepbelief.RBM`.

    Needs ``_params()`` (``W, b, c``), ``_units()``, ``_validate_X``, the
    generator ``_rng`` and the training data's feature means ``_data_mean``.
    """

    def gibbs(self, v, n_steps=1):
        """Run ``n_steps`` Gibbs sweeps ``v -> h -> v`` and return the visible sample.

        Uses the estimator's random generator (seeded by ``random_state``).
        """
        check_is_fitted(self)
        n_steps = check_count(n_steps, "n_steps", 0)
        v = self._validate_X(v, reset=False)
        v = v.toarray() if hasattr(v, "toarray") else v
        return energy.gibbs_chain(v, *self._params(), self._rng, self._units(), n_steps)[0]

    def sample(self, n_samples=1, n_steps=1000, random_state=None, probabilities=False):
        """Draw samples by running Gibbs chains from the data's visible marginals.

        Parameters
        ----------
        n_samples : int
            Number of independent chains.
        n_steps : int
            Gibbs sweeps per chain.
        random_state : int, RandomState, Generator or None
            Seed of the chains (default: the estimator's generator).
        probabilities : bool
            Return ``E[v | h]`` of the last sweep instead of the sampled ``v``.

        Returns
        -------
        V : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples, n_steps = check_sampling(n_samples, n_steps)
        rng = self._rng if random_state is None else make_generator(random_state)
        W, b, c = self._params()
        units = self._units()
        v, mean = self._chains_at_the_data_marginals(n_samples, units, W.dtype, rng)
        v, mean = energy.gibbs_chain(v, W, b, c, rng, units, n_steps, mean)
        return mean if probabilities else v

    # ------------------------------------------------------------- likelihood
    def free_energy(self, X):
        """Free energy ``F(v) = -log sum_h exp(-E(v, h))`` per sample."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return energy.free_energy(X, *self._params(), self._units())

    # LikelihoodMixin: log_partition, score_samples (log p(x) = -F(x) - log Z), score
    def _n_enumerated(self):
        W = self.components_
        units = self._units()
        return W.shape[0] if units.states is None else min(math.log2(units.n_states), W.shape[0])

    def _exact_log_partition(self):
        return log_partition_exact(*self._params(), self._units())

    def _ais_log_partition(self, n_chains, n_betas, rng):
        units = self._units()
        return ais_log_partition(*self._params(), units, n_chains=n_chains, betas=n_betas,
                                 base_bias=base_visible_bias(self._data_mean, units), rng=rng)

    def _unnormalized_log_prob(self, X):
        return -self.free_energy(X)

    def _likelihood_params(self):
        return self._params()

    def pseudo_log_likelihood(self, X):
        """Pseudo-log-likelihood ``sum_i log P(x_i | x_-i)`` of each sample.

        Exact (sums over all features; Bernoulli visible units only).  Costs
        ``n_features`` free-energy evaluations per sample.
        """
        check_is_fitted(self)
        if not unit_type(self.visible).binary:
            raise ValueError(
                "pseudo_log_likelihood is defined for Bernoulli visible units; "
                "with Gaussian units use score_samples (the exact log-density)."
            )
        X = self._validate_X(X, reset=False)
        return energy.pseudo_log_likelihood(X, *self._params())
