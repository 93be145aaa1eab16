"""Restricted Boltzmann machine estimator (Bernoulli, Gaussian or categorical visible units)."""

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from .._sklearn import Interval
from ..math import energy
from ..math.units import unit_type, visible_units
from ..training import budget
from ..training.contrastive_divergence import (
    CDConfig,
    CDState,
    cd_monitor,
    init_cd_state,
    train_rbm,
)
from ._params import (
    CD_EXTRAS,
    CD_LEARNING,
    LIKELIHOOD,
    RUN_CONTROL,
    VISIBLE,
    constraints,
    make_init,
)
from ._persistence import VersionedStateMixin
from ._validation import (
    check_hidden_states,
    check_same_architecture,
    check_visible_data,
    column_means,
    fit_context,
    make_generator,
    running_column_means,
    visible_groups,
)
from .rbm_generative import RBMGenerativeMixin

_BLOCKS = (
    {"n_components": (256, [Interval(Integral, 1, None, closed="left")])},
    VISIBLE,
    CD_LEARNING,
    CD_EXTRAS,
    {"warm_start": (False, ["boolean"])},
    LIKELIHOOD,
    RUN_CONTROL,
)

_MONITOR_ROWS = 1000


class RBM(VersionedStateMixin, RBMGenerativeMixin, ClassNamePrefixFeaturesOutMixin,
          TransformerMixin, BaseEstimator):
    """Restricted Boltzmann machine trained by CD-k or persistent CD.

    A drop-in for :class:`sklearn.neural_network.BernoulliRBM` (same parameter
    names, same fitted attributes), with Gaussian visible units, CD-k, momentum,
    weight decay, a sparsity target, learning-rate schedules, ``warm_start``,
    and the true log-likelihood: exact for small models, by annealed
    importance sampling (AIS) for large ones.

    The energy is ``E(v, h) = -b.v - c.h - v.W.h`` for Bernoulli visible units
    (data in [0, 1]: binary, or probabilities treated as such) and
    ``E(v, h) = ||v - b||^2 / 2 - c.h - v.W.h`` for Gaussian visible units with
    unit variance: standardize the data first (``StandardScaler``), and use a
    learning rate 10-100x smaller than for Bernoulli units.

    Parameters
    ----------
    n_components : int, default=256
        Number of hidden units.
    learning_rate : float, default=0.1
        Step size of the (mean-over-batch) gradient steps.
    batch_size : int or "auto", default="auto"
        Examples per minibatch.  ``"auto"``: ``clip(n_samples // 100, 10, 100)``,
        the rule of :mod:`deepbelief.training.budget` (10 on small data, as
        ``BernoulliRBM``'s default; 100 on MNIST).
    n_iter : int or "auto", default="auto"
        Epochs over the training data in :meth:`fit`.  ``"auto"``: enough
        epochs for about 2,000 updates, between 10 and 30
        (:mod:`deepbelief.training.budget`).
    verbose : int, default=0
        ``1``: a line per epoch; ``2``: also a progress bar
        (:mod:`deepbelief.training.progress`).
    random_state : int, RandomState instance or None, default=None
        Controls everything random: the initial weights, minibatch order,
        Gibbs sampling in training, :meth:`gibbs`, :meth:`sample` (unless given
        its own), and the AIS run behind :meth:`score_samples`.
    visible : {"bernoulli", "gaussian", "categorical"}, default="bernoulli"
        Type of the visible units (:mod:`deepbelief.math.units`): binary or
        probabilities in [0, 1]; standardized real values; or one-hot groups
        (softmax units, one on per group: ``OneHotEncoder`` output, with the
        group sizes in ``n_categories``).
    n_categories : int, array-like of int or None, default=None
        The sizes of the groups of consecutive features of categorical visible
        units (an int: every group that size), e.g.
        ``[len(c) for c in OneHotEncoder().fit(X).categories_]``.  Only for
        ``visible="categorical"``.
    method : {"pcd", "cd"}, default="pcd"
        Persistent contrastive divergence (Tieleman 2008; one persistent
        chain per minibatch row, as ``BernoulliRBM``) or CD-k (Hinton 2002).
    k : int, default=1
        Gibbs steps per update.
    solver : {"momentum", "sgd", "nesterov", "adagrad", "rmsprop", "adam"}, default="momentum"
        Optimizer of the CD gradient (:mod:`deepbelief.training.optimizers`, shared with
        the nets): ``"momentum"`` with ``momentum=0`` (the default) is plain
        SGD, as ``BernoulliRBM``; the adaptive ones want a ``learning_rate``
        near ``1e-3``.
    momentum : float, default=0.0
        Momentum of the ``"momentum"`` and ``"nesterov"`` solvers, in [0, 1).
    weight_decay : float, default=0.0
        L2 penalty on the weights (not on biases).
    sparsity_target : float or None, default=None
        Target mean activation of the hidden units (Hinton 2010, sec. 11).
    sparsity_cost : float, default=0.1
        Strength of the sparsity penalty.
    learning_rate_schedule : {"auto", "constant", "linear", "invscaling"}, default="auto"
        Decay of the learning rate over the ``n_iter`` epochs.  ``"auto"``:
        ``"linear"`` in :meth:`fit`, whose epoch count is known (decaying the
        step of PCD toward zero lets its chains catch up with the model:
        a 500-unit RBM on MNIST reaches -96.8 nats in 20 epochs against -122.7
        with a constant step), and ``"constant"`` in :meth:`partial_fit`, which
        may be called any number of times.
    dynamic_binarization : bool, default=False
        Treat the (grey) training data as probabilities and present every
        minibatch as a fresh binary draw ``x ~ Bernoulli(X)``: the RBM fits the
        distribution of binarized data rather than one fixed binarization.
        Bernoulli visible units only.
    warm_start : bool, default=False
        Reuse the previous solution (and chains, velocities) in :meth:`fit`.
    ais_chains : int, default=100
        AIS runs behind :meth:`score_samples` when ``log Z`` cannot be enumerated.
    ais_betas : int, default=14500
        Inverse temperatures of those runs (Salakhutdinov & Murray 2008).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weight matrix ``W`` (a transposed view of the ``(n_features,
        n_components)`` array the math uses).
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases ``c``.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases ``b``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit` (string names only).
    resolved_params_ : dict
        The ``batch_size``, ``n_iter`` and ``learning_rate_schedule`` used by
        the last :meth:`fit` (the ``"auto"`` values resolved, or those given).
    history_ : dict of lists
        One entry per epoch: ``epoch``, ``seconds``, ``learning_rate``,
        ``reconstruction_error`` (mean squared error of the mean-field
        reconstruction), ``free_energy`` (mean) and, for Bernoulli units,
        ``pseudo_log_likelihood`` (one-bit estimate), all on a fixed subsample
        of at most 1000 training rows.

    Notes
    -----
    :meth:`score_samples` returns the log-likelihood ``log p(x) = -F(x) - log Z``
    (a log-density for Gaussian units), whereas ``BernoulliRBM.score_samples``
    returns a random one-bit pseudo-likelihood estimate; that one is
    :meth:`pseudo_log_likelihood` here, summed over all bits (deterministic).
    ``log Z`` is computed once per set of parameters and cached.

    References
    ----------
    Hinton (2002), Training products of experts by minimizing contrastive
    divergence.  Tieleman (2008), Training restricted Boltzmann machines using
    approximations to the likelihood gradient.  Hinton (2010), A practical guide
    to training RBMs.  Salakhutdinov & Murray (2008), On the quantitative
    analysis of deep belief networks.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import RBM
    >>> X = load_digits().data / 16
    >>> rbm = RBM(n_components=16, n_iter=5, batch_size=20, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (1797, 16)
    >>> bool(rbm.score(X) < 0)
    True
    """

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS, positional="n_components")

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, reset, fit=False):
        sparse = "csr" if unit_type(self.visible).bounded else False
        if reset:
            X = validate_data(self, X, accept_sparse=sparse, dtype=[np.float64, np.float32])
        else:
            dtype = self.components_.dtype
            X = validate_data(self, X, accept_sparse=sparse, dtype=dtype, reset=False)
        groups = visible_groups(self.visible, self.n_categories, X.shape[1])
        return check_visible_data(X, self.visible, self.dynamic_binarization, fit=fit,
                                  groups=groups)

    def _units(self):
        """The visible layer's entry of the unit registry (:mod:`deepbelief.math.units`)."""
        return visible_units(self.visible, self.n_features_in_, getattr(self, "n_categories", None))

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = unit_type(self.visible).bounded
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # --------------------------------------------------------------- training
    def _config(self, schedule):
        return CDConfig(
            visible=self.visible,
            visible_groups=visible_groups(self.visible, self.n_categories, self.n_features_in_),
            k=self.k,
            persistent=self.method == "pcd",
            learning_rate=self.learning_rate,
            learning_rate_schedule=schedule,
            solver=self.solver,
            momentum=self.momentum,
            weight_decay=self.weight_decay,
            sparsity_target=self.sparsity_target,
            sparsity_cost=self.sparsity_cost,
            batch_size=self.resolved_params_["batch_size"],
            dynamic_binarization=self.dynamic_binarization,
        )

    def _resolve_budget(self, n_samples, auto_schedule):
        batch, epochs = budget.resolve(n_samples, self.batch_size, self.n_iter, "pretrain")
        self.resolved_params_ = {"batch_size": batch, "n_iter": epochs,
                                 "learning_rate_schedule": self._schedule(auto_schedule)}
        if self.verbose:
            print(budget.report(type(self).__name__, self.resolved_params_))
        return epochs

    def _initialize(self, X, rng):
        mean = column_means(X)
        state = init_cd_state(self.n_components, mean, self._units(), rng, X.dtype)
        self.components_ = state.W.T
        self.intercept_visible_ = state.b
        self.intercept_hidden_ = state.c
        self.history_ = {}
        self._rng = rng
        self._fitted_visible = self.visible
        self._data_mean = mean
        self._n_seen = 0
        self._train_state = {"epoch": 0}
        self._log_z_cache = {}

    def _update_data_mean(self, X):
        self._data_mean, self._n_seen = running_column_means(self._data_mean, self._n_seen, X)

    def _monitor(self, X):
        """Measurements of every epoch on a fixed subsample of the training rows."""
        rows = self._rng.choice(X.shape[0], min(X.shape[0], _MONITOR_ROWS), replace=False)
        M = X[np.sort(rows)]
        M = M.toarray() if hasattr(M, "toarray") else M
        bits = self._rng.integers(0, X.shape[1], size=M.shape[0])
        return cd_monitor(M, self._units(), bits if unit_type(self.visible).binary else None)

    def _check_continuation(self):
        check_same_architecture([self.components_.shape[0]], [self.n_components],
                                "n_components")
        check_same_architecture([getattr(self, "_fitted_visible", self.visible)], [self.visible],
                                "visible unit type")

    def _schedule(self, auto):
        return auto if self.learning_rate_schedule == "auto" else self.learning_rate_schedule

    def _train(self, X, n_epochs, horizon, schedule):
        W = np.ascontiguousarray(self.components_.T)
        optimizer = (self.solver, self.momentum)
        state = CDState.resume(W, self.intercept_visible_, self.intercept_hidden_,
                               self._train_state, optimizer, self.history_)
        start = state.epoch
        try:
            train_rbm(X, state, self._config(schedule), self._rng, n_epochs, horizon=horizon,
                      monitor=self._monitor(X), verbose=self.verbose)
        finally:
            if state.epoch > start:  # the data the kept epochs saw (AIS's base rates)
                self._update_data_mean(X)
            self.components_ = state.W.T
            self._train_state = state.checkpoint(optimizer)
            self._log_z_cache = {}
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to ``X`` with ``n_iter`` epochs of CD-k/PCD.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; in [0, 1] for Bernoulli visible units (CSR accepted).
        y : Ignored

        Returns
        -------
        self : RBM
        """
        warm = self.warm_start and hasattr(self, "components_")
        if warm:
            self._check_continuation()
        X = self._validate_X(X, reset=not warm, fit=True)
        if not warm:
            self._initialize(X, make_generator(self.random_state))
        n_iter = self._resolve_budget(X.shape[0], "linear")
        start = self._train_state["epoch"]
        return self._train(X, n_iter, start + n_iter, self._schedule("linear"))

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Run one epoch over ``X`` (initialising the model on the first call).

        The learning-rate schedule decays over ``n_iter`` calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : RBM
        """
        first = not hasattr(self, "components_")
        if not first:
            self._check_continuation()
        X = self._validate_X(X, reset=first, fit=True)
        if first:
            self._initialize(X, make_generator(self.random_state))
            self._resolve_budget(X.shape[0], "constant")
        return self._train(X, 1, max(self.resolved_params_["n_iter"], 1),
                           self._schedule("constant"))

    # ------------------------------------------------------------- inference
    def _params(self):
        return self.components_.T, self.intercept_visible_, self.intercept_hidden_

    def transform(self, X):
        """Hidden activation probabilities ``P(h = 1 | v)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        H : ndarray of shape (n_samples, n_components), X's float dtype
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        W, b, c = self._params()
        return energy.mean_hiddens(X, W, c)

    def inverse_transform(self, H):
        """Visible means ``E[v | h]`` given hidden states or probabilities.

        Parameters
        ----------
        H : array-like of shape (n_samples, n_components)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        W, b, c = self._params()
        H = check_hidden_states(H, W.shape[1], W.dtype)
        return energy.mean_visibles(H, W, b, self._units())

    def reconstruct(self, X):
        """Mean-field reconstruction ``E[v | h = P(h | X)]``."""
        return self.inverse_transform(self.transform(X))
