"""Deep Boltzmann machines: the generative model (the net fine-tuned from it is in
:mod:`deepbelief.estimators.dbm_classifier`)."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from .._sklearn import StrOptions
from ..math import dbm_energy
from ..math.ais import base_visible_bias, dbm_ais_log_partition
from ..math.units import STACKABLE_UNITS, visible_units
from ..training import budget
from ..training.contrastive_divergence import CDConfig
from ..training.dbm_learning import (
    DBMConfig,
    DBMState,
    dbm_monitor,
    init_particles,
    mean_field_batched,
    pretrain_dbm,
    train_dbm,
)
from ..training.progress import phase
from ._params import (
    DBM_LEARNING,
    GREEDY_CD,
    HIDDEN_LAYERS,
    LIKELIHOOD,
    RUN_CONTROL,
    constraints,
    make_init,
)
from ._persistence import VersionedStateMixin
from ._validation import (
    all_or_nothing,
    check_hidden_layer_sizes,
    check_same_architecture,
    check_sampling,
    check_visible_data,
    fit_context,
    make_generator,
)
from .likelihood import LikelihoodMixin

_BLOCKS = (HIDDEN_LAYERS, {"visible": ("bernoulli", [StrOptions(set(STACKABLE_UNITS))])},
           GREEDY_CD, DBM_LEARNING, LIKELIHOOD, {"warm_start": (False, ["boolean"])}, RUN_CONTROL)

_MONITOR_ROWS = 500
_SCORE_TOL, _MAX_SCORE_SWEEPS = 1e-6, 1000  # score_samples' mean field run to convergence


class DBM(VersionedStateMixin, LikelihoodMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
          BaseEstimator):
    """Deep Boltzmann machine (Salakhutdinov & Hinton 2009).

    An undirected model with any number of hidden layers, each connected to
    its neighbours only.  :meth:`fit` pretrains a stack of modified RBMs
    greedily (doubled bottom-up weights in the first, doubled top-down weights
    in the last, halved weights for the ones between), composes them into a DBM
    and trains all layers jointly: mean-field posterior for the data term,
    persistent block-Gibbs chains for the model term.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100, 100)
        Hidden units per layer, input side first (the paper's MNIST DBM is
        ``(500, 1000)``).
    visible : {"bernoulli", "gaussian"}, default="bernoulli"
        Visible units: data in [0, 1], or standardized data (unit variance).
    pretrain_n_iter : int or "auto", default="auto"
        Epochs of greedy pretraining per RBM (0: start from small random
        weights); ``"auto"``: 10-30 epochs for about 2,000 updates
        (:mod:`deepbelief.training.budget`).
    pretrain_learning_rate, pretrain_batch_size, pretrain_method, pretrain_k,
    pretrain_solver, pretrain_momentum, pretrain_weight_decay :
        Training of the pretraining RBMs (see :class:`deepbelief.RBM`).
    n_iter : int or "auto", default="auto"
        Epochs of joint training; ``"auto"``: 10-30 epochs for about 2,000
        updates (:mod:`deepbelief.training.budget`).
    learning_rate : float, default=0.005
        Step size of joint training.
    learning_rate_schedule : {"constant", "linear", "invscaling"}, default="linear"
        Decay of the joint learning rate over ``n_iter`` epochs (the paper
        decays it to zero).
    solver : {"momentum", "sgd", "nesterov", "adagrad", "rmsprop", "adam"}, default="momentum"
        Optimizer of joint training (:mod:`deepbelief.training.optimizers`).
    momentum : float, default=0.5
        Of the ``"momentum"`` and ``"nesterov"`` solvers.
    weight_decay : float, default=2e-4
    batch_size : int or "auto", default="auto"
        Minibatch size of joint training (``pretrain_batch_size``: of the
        pretraining RBMs); ``"auto"``: ``clip(n_samples // 100, 10, 100)``.
    n_particles : int, default=100
        Persistent fantasy particles of the negative phase.
    n_gibbs : int, default=1
        Block-Gibbs sweeps of the particles per update.
    n_mean_field : int, default=10
        Mean-field sweeps of the positive phase (also used by :meth:`transform`).
    n_mean_field_score : int or None, default=None
        Mean-field sweeps behind :meth:`score_samples`.  ``None`` iterates to
        convergence (until no posterior mean moves by more than 1e-6, at most
        1,000 sweeps).  Each sweep is a coordinate-ascent step on the bound, so
        more sweeps never lower it; on the MNIST DBM, 10 sweeps leave it about
        0.1 nat below the converged value.
    dynamic_binarization : bool, default=False
        Treat the (grey) training data as probabilities and present every
        minibatch, in the bottom RBM's pretraining and in joint training, as a
        fresh binary draw ``x ~ Bernoulli(X)`` (Salakhutdinov & Hinton's recipe
        for MNIST; the RBMs above train on probabilities either way).  The
        model then fits the distribution of binarized images instead of one
        fixed binarization of them, which over many epochs it overfits.
        Bernoulli visible units only.
    transform_layers : {"top", "all"}, default="top"
        What :meth:`transform` returns: the posterior means of the top layer, or
        of every hidden layer side by side.
    ais_chains, ais_betas : int, default=100, 14500
        AIS runs behind :meth:`score_samples` when ``log Z`` cannot be enumerated.
    warm_start : bool, default=False
        Continue joint training from the previous solution in :meth:`fit`.
    verbose : int, default=0
        ``1``: a line per epoch of every phase; ``2``: also a progress bar
        (:mod:`deepbelief.training.progress`).
    random_state : int, RandomState instance or None
        Controls the initial weights, minibatch order, Gibbs sampling,
        :meth:`sample` (unless given its own seed) and the AIS runs.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weights ``W_l`` of shape ``(n_{l-1}, n_l)``, input side first.
    intercepts_ : list of ndarray
        Biases of every layer, the visible one first.
    resolved_params_ : dict
        The batch sizes and epoch counts used (``"auto"`` resolved from the
        data by :mod:`deepbelief.training.budget`).
    n_iter_ : int
        Epochs of joint training run so far.
    history_ : dict of lists
        Per joint epoch: ``seconds``, ``learning_rate``, ``grad_norms`` (mean
        norm of each layer's weight gradient), ``reconstruction_error`` and
        ``bound_plus_log_z`` (mean ``-E_q[E] + H(q)``, before ``log Z``) on a fixed
        subsample of the training rows as given (grey rows, not draws, with
        ``dynamic_binarization``: compare these figures within one setting).
    n_features_in_ : int

    References
    ----------
    Salakhutdinov & Hinton (2009), Deep Boltzmann machines.  Salakhutdinov &
    Hinton (2012), An efficient learning procedure for deep Boltzmann machines.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DBM
    >>> X = load_digits().data / 16
    >>> dbm = DBM(hidden_layer_sizes=(32, 16), pretrain_n_iter=3, n_iter=3,
    ...           random_state=0).fit(X)
    >>> dbm.transform(X).shape
    (1797, 16)
    >>> bool(dbm.score(X[:100]) < 0)      # variational lower bound on log p(x), nats
    True
    """

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS, learning_rate=0.005, learning_rate_schedule="linear",
                         momentum=0.5, weight_decay=2e-4)

    def _hidden_sizes(self):
        return check_hidden_layer_sizes(self.hidden_layer_sizes)

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, reset, fit=False):
        dtype = [np.float64, np.float32] if reset else self.coefs_[0].dtype
        X = validate_data(self, X, dtype=dtype, reset=reset)
        return check_visible_data(X, self.visible, self.dynamic_binarization, fit=fit)

    @property
    def _n_features_out(self):
        sizes = self._fitted_sizes()
        return sum(sizes) if self.transform_layers == "all" else sizes[-1]

    def _fitted_sizes(self):
        return [W.shape[1] for W in self.coefs_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # --------------------------------------------------------------- training
    def _resolve_budget(self, n_samples, first=True):
        """Set ``resolved_params_`` (pretraining only on a first fit); return the joint epochs."""
        batch, epochs = budget.resolve(n_samples, self.batch_size, self.n_iter, "joint")
        resolved = {"batch_size": batch, "n_iter": epochs}
        if first:
            pb, pe = budget.resolve(n_samples, self.pretrain_batch_size, self.pretrain_n_iter,
                                    "pretrain")
            resolved = {"pretrain_batch_size": pb, "pretrain_n_iter": pe, **resolved}
        else:
            resolved = {**getattr(self, "resolved_params_", {}), **resolved}
        self.resolved_params_ = resolved
        if self.verbose:
            print(budget.report(type(self).__name__, resolved))
        return epochs

    def _config(self):
        return DBMConfig(
            visible=self.visible, learning_rate=self.learning_rate,
            learning_rate_schedule=self.learning_rate_schedule, solver=self.solver,
            momentum=self.momentum,
            weight_decay=self.weight_decay, batch_size=self.resolved_params_["batch_size"],
            n_particles=self.n_particles, n_gibbs=self.n_gibbs, n_mean_field=self.n_mean_field,
            dynamic_binarization=self.dynamic_binarization,
        )

    def _initialize(self, X, rng):
        sizes = self._hidden_sizes()
        pretrain_n_iter = self.resolved_params_["pretrain_n_iter"]
        if pretrain_n_iter > 0:
            cd = CDConfig(k=self.pretrain_k, persistent=self.pretrain_method == "pcd",
                          learning_rate=self.pretrain_learning_rate,
                          solver=self.pretrain_solver, momentum=self.pretrain_momentum,
                          weight_decay=self.pretrain_weight_decay,
                          batch_size=self.resolved_params_["pretrain_batch_size"],
                          dynamic_binarization=self.dynamic_binarization)
            with phase("pretraining"):
                Ws, bs = pretrain_dbm(X, sizes, cd, pretrain_n_iter, rng, visible=self.visible,
                                      verbose=self.verbose)
        else:
            fan = [X.shape[1], *sizes]
            Ws = [0.01 * rng.standard_normal((i, o), dtype=X.dtype) for i, o in zip(fan, sizes)]
            mean = X.mean(axis=0, dtype=np.float64)
            bs = [base_visible_bias(mean, self.visible).astype(X.dtype),
                  *[np.zeros(o, dtype=X.dtype) for o in sizes]]
        self._state = DBMState([W.astype(X.dtype) for W in Ws], [b.astype(X.dtype) for b in bs])
        self.coefs_, self.intercepts_ = self._state.Ws, self._state.bs
        self.history_ = self._state.history
        self._rng = rng
        self._data_mean = X.mean(axis=0, dtype=np.float64)
        self._log_z_cache = {}
        self.n_iter_ = 0

    def _train(self, X, n_epochs, horizon):
        rows = self._rng.choice(X.shape[0], min(X.shape[0], _MONITOR_ROWS), replace=False)
        M = X[np.sort(rows)]

        try:
            with phase("joint training"):
                train_dbm(X, self._state, self._config(), self._rng, n_epochs, horizon=horizon,
                          monitor=dbm_monitor(M, self.n_mean_field, self.visible),
                          verbose=self.verbose)
        finally:
            self.n_iter_ = self._state.epoch
            self._log_z_cache = {}
            # mean posterior of each hidden layer on the data: AIS base rates
            mus = dbm_energy.mean_field(M, self.coefs_, self.intercepts_, self.n_mean_field)
            self._posterior_means = [m.mean(axis=0, dtype=np.float64) for m in mus]
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain greedily (``pretrain_n_iter``), then train jointly (``n_iter``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            In [0, 1] for Bernoulli visible units.
        y : Ignored

        Returns
        -------
        self : DBM
        """
        check_hidden_layer_sizes(self.hidden_layer_sizes)  # before any attribute is set
        warm = self.warm_start and hasattr(self, "coefs_")
        if warm:
            check_same_architecture(self._fitted_sizes(), self._hidden_sizes(), "hidden layers")
        pretrained = False
        with all_or_nothing(self, "pretraining"):  # a failed pretraining leaves no half model
            X = self._validate_X(X, reset=not warm, fit=True)
            n_iter = self._resolve_budget(X.shape[0], first=not warm)
            if not warm:
                self._initialize(X, make_generator(self.random_state))
            pretrained = True
        if not pretrained:  # interrupted: the DBM is as it was, as the warning said
            return self
        start = self._state.epoch
        return self._train(X, n_iter, horizon=start + n_iter)

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of joint training (pretraining on ``X`` first, on the first call).

        The learning-rate schedule decays over ``n_iter`` calls.
        """
        check_hidden_layer_sizes(self.hidden_layer_sizes)
        first = not hasattr(self, "coefs_")
        if not first:
            check_same_architecture(self._fitted_sizes(), self._hidden_sizes(), "hidden layers")
        X = self._validate_X(X, reset=first, fit=True)
        if first:
            self._resolve_budget(X.shape[0])
            self._initialize(X, make_generator(self.random_state))
        return self._train(X, 1, horizon=max(self.resolved_params_["n_iter"], 1))

    # ------------------------------------------------------------- inference
    def mean_field(self, X):
        """Mean-field posterior means of every hidden layer (a list, input side first)."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return mean_field_batched(X, self.coefs_, self.intercepts_, self.n_mean_field)

    def transform(self, X):
        """Posterior means of the top hidden layer (``transform_layers="all"``: all layers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        H : ndarray of shape (n_samples, n_top) or (n_samples, sum of hidden sizes)
        """
        mus = self.mean_field(X)
        return np.hstack(mus) if self.transform_layers == "all" else mus[-1]

    def sample(self, n_samples=1, n_steps=1000, random_state=None, probabilities=True):
        """Generate data with block-Gibbs chains started from training rows.

        Parameters
        ----------
        n_samples : int
            Independent chains.
        n_steps : int
            Gibbs sweeps per chain.
        random_state : int, RandomState, Generator or None
            Seed of the chains (default: the estimator's generator).
        probabilities : bool, default=True
            Return ``E[v | h^1]`` of the last sweep instead of the sampled ``v``.

        Returns
        -------
        V : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples, n_steps = check_sampling(n_samples, n_steps)
        rng = self._rng if random_state is None else make_generator(random_state)
        Ws, bs = self.coefs_, self.intercepts_
        units = visible_units(self.visible, Ws[0].shape[0])
        v, _ = self._chains_at_the_data_marginals(n_samples, units, Ws[0].dtype, rng)
        layers = init_particles(v, Ws, bs, n_samples, rng)
        layers[0] = v
        for _ in range(int(n_steps)):
            dbm_energy.gibbs_sweep(layers, Ws, bs, rng, self.visible)
        if not probabilities:
            return layers[0]
        return dbm_energy.conditional_mean(layers, Ws, bs, 0, self.visible)

    # ------------------------------------------------------------- likelihood
    # LikelihoodMixin: log_partition, score_samples (the variational bound minus log Z), score.
    # log Z: "exact" enumerates the parity (odd or even layers) with fewer binary
    # units and sums out the other; "ais" anneals from a base model of independent
    # units with the training data's visible marginals and, in the even hidden
    # layers, the mean posterior on the training data, summing out the odd layers
    # (Salakhutdinov & Hinton 2009).
    def _n_enumerated(self):
        enum, sizes = dbm_energy._enumerated_parity(self.coefs_, self.visible)
        return sum(sizes[layer] for layer in enum)

    def _exact_log_partition(self):
        return dbm_energy.log_partition_exact(self.coefs_, self.intercepts_, self.visible)

    def _ais_log_partition(self, n_chains, n_betas, rng):
        return dbm_ais_log_partition(
            self.coefs_, self.intercepts_, self.visible, n_chains=n_chains, betas=n_betas,
            base_bias=base_visible_bias(self._data_mean, self.visible),
            base_hidden={layer: base_visible_bias(self._posterior_means[layer - 1])
                         for layer in dbm_energy.even_layers(len(self.coefs_), False)},
            rng=rng)

    def _unnormalized_log_prob(self, X):
        """``-E_q[E(x, h)] + H(q)`` with the mean-field posterior ``q``
        (``n_mean_field_score`` sweeps, by default to convergence): with ``log Z``
        subtracted, a lower bound on ``log p(x)``."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        sweeps, tol = ((_MAX_SCORE_SWEEPS, _SCORE_TOL) if self.n_mean_field_score is None
                       else (self.n_mean_field_score, 0.0))
        mus = mean_field_batched(X, self.coefs_, self.intercepts_, sweeps, tol=tol)
        return dbm_energy.variational_bound(X, mus, self.coefs_, self.intercepts_, self.visible)

    def _likelihood_params(self):
        return (*self.coefs_, *self.intercepts_)
