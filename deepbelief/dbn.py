"""Deep belief networks: the greedy RBM stack, and nets fine-tuned from it."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, validate_data

from . import budget, energy
from ._sklearn import Interval, StrOptions, _fit_context
from ._validation import (
    apply_unit_scaling,
    check_visible_data,
    fit_unit_scaling,
    in_unit_interval,
    make_generator,
    visible_groups,
)
from .deepnet import (
    NET_CONSTRAINTS,
    OUTPUT_ONLY_CONSTRAINT,
    BaseDeepNet,
    ClassifierNetMixin,
    RegressorNetMixin,
)
from .optimizers import OPTIMIZERS
from .pretraining import (
    PROPAGATE,
    greedy_layerwise,
    propagate_down,
    propagate_up,
    seeds,
    unroll,
)
from .rbm import RBM
from .units import VISIBLE_UNITS

PRETRAIN_CONSTRAINTS = {
    "pretrain_n_iter": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
    "pretrain_learning_rate": [Interval(Real, 0, None, closed="neither")],
    "pretrain_batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "pretrain_method": [StrOptions({"cd", "pcd"})],
    "pretrain_k": [Interval(Integral, 1, None, closed="left")],
    "pretrain_solver": [StrOptions(set(OPTIMIZERS))],
    "pretrain_momentum": [Interval(Real, 0, 1, closed="left")],
    "pretrain_weight_decay": [Interval(Real, 0, None, closed="left")],
    "pretrain_propagate": [StrOptions(set(PROPAGATE))],
    "visible": [StrOptions(set(energy.VISIBLE_UNITS))],
    "dynamic_binarization": ["boolean"],
}


def _make_rbms(est, rng, prefix, visible, n_iter, batch_size):
    """A factory of the stack's RBMs from an estimator's (prefixed) parameters,
    with the resolved epochs and batch size."""
    get = lambda name: getattr(est, prefix + name)  # noqa: E731
    sizes = est._hidden_sizes()
    layer_seeds = seeds(rng, len(sizes))

    def make(layer):
        return RBM(
            n_components=sizes[layer],
            visible=visible if layer == 0 else "bernoulli",
            n_categories=getattr(est, "n_categories", None) if layer == 0 else None,
            dynamic_binarization=est.dynamic_binarization and layer == 0,
            n_iter=n_iter, learning_rate=get("learning_rate"), learning_rate_schedule="constant",
            batch_size=batch_size, method=get("method"), k=get("k"), solver=get("solver"),
            momentum=get("momentum"), weight_decay=get("weight_decay"),
            random_state=layer_seeds[layer], verbose=est.verbose,
        )

    return make, len(sizes)


class DBN(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Deep belief network: a stack of RBMs trained greedily, layer by layer.

    Each RBM is trained on the hidden units of the one below (one binary
    sample per row, or the probabilities: ``propagate``), computed once per
    layer.  :meth:`transform` returns the top layer's probabilities;
    :meth:`sample` runs Gibbs sampling in the top RBM and a downward pass.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100, 100)
        Hidden units per RBM, input side first.
    visible : {"bernoulli", "gaussian", "categorical"}, default="bernoulli"
        Visible units of the first RBM (data in [0, 1], standardized data, or
        one-hot groups: see :class:`deepbelief.RBM`).
    n_categories : int, array-like of int or None, default=None
        The group sizes of categorical visible units (see :class:`deepbelief.RBM`).
    dynamic_binarization : bool, default=False
        The first RBM reads the (grey) data as probabilities and trains on a
        fresh binary draw of every minibatch (see :class:`deepbelief.RBM`); the
        RBMs above train on what the layer below passes up, as always.
        Bernoulli visible units only.
    n_iter, batch_size : int or "auto", default="auto"
        Epochs and minibatch size of every RBM; ``"auto"`` resolves them from
        the number of training rows (:mod:`deepbelief.budget`: batches of
        ``clip(n // 100, 10, 100)`` rows, 10-30 epochs).
    learning_rate, method, k, solver, momentum, weight_decay :
        Training parameters of every RBM (see :class:`deepbelief.RBM`; the
        default ``solver="momentum"`` with ``momentum=0.5`` is the classic
        recipe, ``solver="adam"`` wants a ``learning_rate`` near ``1e-3``).
    propagate : {"samples", "probabilities"}, default="samples"
        What each RBM is trained on: one binary sample of the hidden units below
        per row (exact samples of the aggregated posterior) or their
        probabilities.  Probabilities fade toward constants in deep stacks.
    verbose : int, default=0
    random_state : int, RandomState instance or None
        Seeds every RBM (and :meth:`sample` unless given its own).

    Attributes
    ----------
    rbms_ : list of RBM
        The fitted layers, input side first.
    resolved_params_ : dict
        The ``batch_size`` and ``n_iter`` used (``"auto"`` resolved).
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DBN
    >>> X = load_digits().data / 16
    >>> dbn = DBN(hidden_layer_sizes=(32, 16), n_iter=3, random_state=0).fit(X)
    >>> dbn.transform(X).shape
    (1797, 16)
    """

    # the pretraining constraints of the DBN nets, without their prefix
    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        **{k.removeprefix("pretrain_"): v for k, v in PRETRAIN_CONSTRAINTS.items()},
        "visible": [StrOptions(set(VISIBLE_UNITS))],
        "n_categories": [Interval(Integral, 2, None, closed="left"), "array-like", None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(self, hidden_layer_sizes=(100, 100), *, visible="bernoulli", n_categories=None,
                 dynamic_binarization=False, n_iter="auto", learning_rate=0.05, batch_size="auto",
                 method="cd", k=1, solver="momentum", momentum=0.5, weight_decay=2e-4,
                 propagate="samples", verbose=0, random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.visible = visible
        self.n_categories = n_categories
        self.dynamic_binarization = dynamic_binarization
        self.n_iter = n_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.method = method
        self.k = k
        self.solver = solver
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.propagate = propagate
        self.verbose = verbose
        self.random_state = random_state

    _hidden_sizes = BaseDeepNet._hidden_sizes

    def _validate_X(self, X, reset, fit=False):
        sparse = "csr" if self.visible != "gaussian" else False
        dtype = [np.float64, np.float32] if reset else self.rbms_[0].components_.dtype
        X = validate_data(self, X, accept_sparse=sparse, dtype=dtype, reset=reset)
        groups = visible_groups(self.visible, self.n_categories, X.shape[1])
        return check_visible_data(X, self.visible, self.dynamic_binarization, fit=fit,
                                  groups=groups)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain the stack greedily on ``X``."""
        X = self._validate_X(X, reset=True, fit=True)
        self._rng = make_generator(self.random_state)
        batch, epochs = budget.resolve(X.shape[0], self.batch_size, self.n_iter, "pretrain")
        self.resolved_params_ = {"batch_size": batch, "n_iter": epochs}
        if self.verbose:
            print(budget.report(type(self).__name__, self.resolved_params_))
        make, n_layers = _make_rbms(self, self._rng, "", self.visible, epochs, batch)
        self.rbms_ = greedy_layerwise(X, make, n_layers, propagate=self.propagate, rng=self._rng,
                                      verbose=self.verbose)
        return self

    @property
    def _n_features_out(self):
        return self.rbms_[-1].n_components

    def transform(self, X):
        """Top-layer hidden probabilities (one upward pass of mean activations)."""
        check_is_fitted(self)
        return propagate_up(self.rbms_, self._validate_X(X, reset=False))

    def inverse_transform(self, H):
        """Visible means from top-layer states, by the downward generative pass."""
        check_is_fitted(self)
        return propagate_down(self.rbms_, H)

    def sample(self, n_samples=1, n_steps=1000, random_state=None):
        """Generate data: Gibbs chains in the top RBM, then a downward pass of means.

        Returns visible probabilities, shape (n_samples, n_features).
        """
        check_is_fitted(self)
        rng = self._rng if random_state is None else make_generator(random_state)
        top = self.rbms_[-1]
        v_top = top.sample(n_samples, n_steps=n_steps, random_state=rng, probabilities=True)
        return propagate_down(self.rbms_[:-1], v_top)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.visible != "gaussian"
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _init_dbn_net(self, hidden_layer_sizes=(100, 100), *, pretrain=True, dbn=None,
                  visible="auto", dynamic_binarization=False, pretrain_n_iter="auto",
                  pretrain_learning_rate=0.05,
                  pretrain_batch_size="auto", pretrain_method="cd", pretrain_k=1,
                  pretrain_solver="momentum", pretrain_momentum=0.5, pretrain_weight_decay=2e-4,
                  pretrain_propagate="samples", init="glorot_uniform",
                  solver="momentum", alpha=1e-4, l1=0.0, batch_size="auto",
                  learning_rate="constant", learning_rate_init="auto", momentum=0.9, max_iter="auto",
                  tol=1e-4, n_iter_no_change="auto", n_iter_output_only=0, early_stopping=False,
                  validation_fraction=0.1, dropout=0.0, input_dropout=0.0, max_norm=None,
                  warm_start=False, verbose=0, random_state=None):
    self.hidden_layer_sizes = hidden_layer_sizes
    self.pretrain = pretrain
    self.dbn = dbn
    self.visible = visible
    self.dynamic_binarization = dynamic_binarization
    self.pretrain_n_iter = pretrain_n_iter
    self.pretrain_learning_rate = pretrain_learning_rate
    self.pretrain_batch_size = pretrain_batch_size
    self.pretrain_method = pretrain_method
    self.pretrain_k = pretrain_k
    self.pretrain_solver = pretrain_solver
    self.pretrain_momentum = pretrain_momentum
    self.pretrain_weight_decay = pretrain_weight_decay
    self.pretrain_propagate = pretrain_propagate
    self.init = init
    self.solver = solver
    self.alpha = alpha
    self.l1 = l1
    self.batch_size = batch_size
    self.learning_rate = learning_rate
    self.learning_rate_init = learning_rate_init
    self.momentum = momentum
    self.max_iter = max_iter
    self.tol = tol
    self.n_iter_no_change = n_iter_no_change
    self.n_iter_output_only = n_iter_output_only
    self.early_stopping = early_stopping
    self.validation_fraction = validation_fraction
    self.dropout = dropout
    self.input_dropout = input_dropout
    self.max_norm = max_norm
    self.warm_start = warm_start
    self.verbose = verbose
    self.random_state = random_state


def _input_scaling(est, X):
    """How a net with ``visible`` units reads its training input ``X``.

    ``"gaussian"``: as given.  ``"bernoulli"``: data in [0, 1] (the range rule
    of :func:`~deepbelief._validation.check_unit_interval`).  ``"auto"``: data
    in [0, 1] up to rounding is read as given (clipped), any other finite data
    is mapped onto [0, 1] with the training minimum and maximum of each
    feature (held-out values beyond them are clipped), for Bernoulli units.
    Sets ``visible_`` and, for ``"minmax"``, ``input_offset_``/``input_scale_``.
    """
    est.visible_ = "bernoulli" if est.visible == "auto" else est.visible
    if est.visible == "auto" and not in_unit_interval(X):
        est.input_offset_, est.input_scale_ = fit_unit_scaling(X)
        return "minmax"
    return "none"


def _scale_input(est, X, fit):
    if est.input_scaling_ == "minmax":
        return apply_unit_scaling(X, est.input_offset_, est.input_scale_)
    return check_visible_data(X, est.visible_, getattr(est, "dynamic_binarization", False), fit=fit)


class _PretrainedNet(BaseDeepNet):
    """A sigmoid net whose hidden layers start as a DBN's RBMs (when ``pretrain``)."""

    _parameter_constraints = {
        **{k: v for k, v in NET_CONSTRAINTS.items()
           if k not in ("activation", "batch_norm", "residual")},
        **PRETRAIN_CONSTRAINTS,
        "visible": [StrOptions(set(energy.VISIBLE_UNITS) | {"auto"})],
        "pretrain": ["boolean"],
        "dbn": [DBN, None],
        **OUTPUT_ONLY_CONSTRAINT,
    }
    __init__ = _init_dbn_net

    def _activation(self):
        return "sigmoid"  # the RBMs' hidden units

    def _resolve_pretraining(self, n_samples):
        if not self.pretrain or self.dbn is not None:
            return {}
        batch, epochs = budget.resolve(n_samples, self.pretrain_batch_size, self.pretrain_n_iter,
                                       "pretrain")
        return {"pretrain_batch_size": batch, "pretrain_n_iter": epochs}

    def _prepare_input(self, X, fit):
        if fit:
            self.input_scaling_ = _input_scaling(self, X)
        return _scale_input(self, X, fit)

    def _initial_params(self, X, n_out, rng):
        params = self._random_params(X.shape[1], n_out, X.dtype, rng)
        if self.dbn is not None:
            rbms = self._given_rbms(X)
        elif self.pretrain:
            resolved = self.resolved_params_
            make, n_layers = _make_rbms(self, rng, "pretrain_", self.visible_,
                                        resolved["pretrain_n_iter"],
                                        resolved["pretrain_batch_size"])
            rbms = greedy_layerwise(X, make, n_layers, propagate=self.pretrain_propagate, rng=rng,
                                    verbose=self.verbose)
        else:
            return params
        self.dbn_rbms_ = rbms
        unroll(rbms, params)
        for key in ("W", "b"):
            params[key] = [p.astype(X.dtype, copy=False) for p in params[key]]
        return params

    def _given_rbms(self, X):
        """The first layers of ``dbn``: as given when fitted, else a clone fitted on ``X``.

        (``clone`` and ``GridSearchCV`` hand over an unfitted copy of a fitted
        ``dbn``; it is then pretrained on the training data of the fit.)
        """
        try:
            check_is_fitted(self.dbn)
            dbn = self.dbn
        except NotFittedError:
            dbn = clone(self.dbn).fit(X)
        sizes = self._hidden_sizes()
        rbms = dbn.rbms_[: len(sizes)]
        if [r.n_components for r in rbms] != sizes or dbn.n_features_in_ != X.shape[1]:
            raise ValueError(
                f"dbn has layers {[r.n_components for r in dbn.rbms_]} on "
                f"{dbn.n_features_in_} features; hidden_layer_sizes={tuple(sizes)} on "
                f"{X.shape[1]} features must be its first layers."
            )
        return rbms


_DBN_NET_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100, 100)
        Hidden layers (RBMs), input side first (the classic MNIST net is
        ``(500, 500, 2000)``).
    pretrain : bool, default=True
        Greedy RBM pretraining; ``False`` gives the same sigmoid net randomly
        initialised with ``init`` (the comparison of the experiments).
    dbn : DBN or None, default=None
        A fitted :class:`DBN` whose first layers initialise the net instead of
        pretraining in :meth:`fit` (e.g. pretrained once on unlabelled data,
        then fine-tuned on a few labels; or one deep stack shared by nets of
        several depths).  Its weights are copied, never changed.  An unfitted
        one (as ``clone`` and ``GridSearchCV`` pass it on) is cloned and fitted
        on the training data.
    visible : {"auto", "bernoulli", "gaussian"}, default="auto"
        Visible units of the first RBM: ``"bernoulli"`` for data in [0, 1]
        (values off it by up to 1e-3, a rounding error or a held-out row scaled
        with the training fold's statistics, are clipped; data plainly off it
        is an error), ``"gaussian"`` for standardized data.  ``"auto"``:
        Bernoulli units; training data within [0, 1] is used as given, any
        other finite data is min-max scaled to [0, 1] with the training data's
        per-feature minimum and range (``input_scaling_ == "minmax"``), and the
        same map is applied in ``predict`` (held-out rows clipped to [0, 1]).
    dynamic_binarization : bool, default=False
        Pretrain the first RBM on a fresh binary draw of every minibatch of the
        (grey) data (see :class:`DBN`); fine-tuning sees the data as given.
    pretrain_n_iter, pretrain_learning_rate, pretrain_batch_size, pretrain_method,
    pretrain_k, pretrain_solver, pretrain_momentum, pretrain_weight_decay, pretrain_propagate :
        The RBMs' ``n_iter``, ``learning_rate``, ``batch_size``, ``method``,
        ``k``, ``solver``, ``momentum`` and ``weight_decay`` (see :class:`deepbelief.RBM`),
        and the DBN's ``propagate`` (see :class:`DBN`).
    init : str, default="glorot_uniform"
        Initializer of the output layer (and of every layer without pretraining).
    solver, alpha, l1, batch_size, learning_rate, learning_rate_init, momentum,
    max_iter, tol, n_iter_no_change, early_stopping, validation_fraction,
    dropout, input_dropout, max_norm, warm_start, verbose :
        Fine-tuning, as in :class:`deepbelief.DeepNetClassifier` (defaults:
        SGD with momentum 0.9; batch size, step size, epochs and patience from
        the data, :mod:`deepbelief.budget`).
    n_iter_output_only : int, default=0
        The first fine-tuning epochs that train the new output layer alone, the
        pretrained layers frozen (Hinton & Salakhutdinov's fine-tuning trains
        the top layer alone for its first epochs), so that the gradients of a
        random output layer do not disturb the pretrained weights.  Frozen
        layers take no step and their optimizer state waits: Adam starts their
        bias correction afresh when they are unfrozen.
    random_state : int, RandomState instance or None
        Controls pretraining, initialisation, minibatch order, dropout and the
        validation split.

    Attributes
    ----------
    dbn_rbms_ : list of RBM
        The pretrained RBMs (before fine-tuning), when ``pretrain``.
    visible_ : str
        The first RBM's visible units (``"auto"`` resolved).
    input_scaling_ : {"none", "minmax"}
        Whether ``visible="auto"`` min-max scales the input; then
        ``input_offset_`` and ``input_scale_`` hold the per-feature map.
    coefs_, intercepts_, params_, n_iter_, loss_curve_, history_, resolved_params_,
    n_features_in_ :
        As in :class:`deepbelief.DeepNetClassifier` (and ``target_mean_``,
        ``target_scale_`` of :class:`deepbelief.DeepNetRegressor`).
"""


class DBNClassifier(ClassifierNetMixin, _PretrainedNet):
    __doc__ = """DBN-pretrained sigmoid net fine-tuned by backprop for classification.

    Pretrains a stack of RBMs greedily (Hinton, Osindero & Teh 2006), unrolls it
    into a sigmoid net with a new softmax output layer and fine-tunes the whole
    net with backprop (Hinton & Salakhutdinov 2006).
    """ + _DBN_NET_DOC + """
    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DBNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DBNClassifier(hidden_layer_sizes=(64, 64), random_state=0).fit(X / 16, y)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """


class DBNRegressor(RegressorNetMixin, _PretrainedNet):
    __doc__ = """DBN-pretrained sigmoid net fine-tuned by backprop for regression.

    Same as :class:`DBNClassifier` with an identity output and squared error.
    """ + _DBN_NET_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> from deepbelief import DBNRegressor
    >>> X = np.random.default_rng(0).random((1000, 8))     # Bernoulli units: X in [0, 1]
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2]
    >>> reg = DBNRegressor(hidden_layer_sizes=(64,), solver="adam", learning_rate_init=0.02,
    ...                    batch_size=20, max_iter=100, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """
