"""DBN-pretrained nets: a greedy RBM stack unrolled into a sigmoid net and fine-tuned."""

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ..training import budget
from ..training.greedy import greedy_layerwise, unroll
from ._net import (
    BaseDeepNet,
    ClassifierNetMixin,
    HiddenFeaturesMixin,
    RegressorNetMixin,
)
from ._params import (
    FINE_TUNING,
    HIDDEN_LAYERS,
    OUTPUT_ONLY,
    RBM_PRETRAINING,
    RUN_CONTROL,
    constraints,
    make_init,
)
from ._validation import (
    apply_unit_scaling,
    check_visible_data,
    fit_unit_scaling,
    in_unit_interval,
)
from .dbn import DBN, rbm_factory

_BLOCKS = (HIDDEN_LAYERS, {"dbn": (None, [DBN, None])}, RBM_PRETRAINING, FINE_TUNING, OUTPUT_ONLY,
           RUN_CONTROL)


def input_scaling(est, X):
    """How a net with ``visible`` units reads its training input ``X``.

    ``"gaussian"``: as given.  ``"bernoulli"``: data in [0, 1] (the range rule
    of :func:`~deepbelief.estimators._validation.check_unit_interval`).  ``"auto"``: data
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


def scale_input(est, X, fit):
    if est.input_scaling_ == "minmax":
        return apply_unit_scaling(X, est.input_offset_, est.input_scale_)
    return check_visible_data(X, est.visible_, getattr(est, "dynamic_binarization", False), fit=fit)


class _PretrainedNet(HiddenFeaturesMixin, BaseDeepNet):
    """A sigmoid net whose hidden layers start as a DBN's RBMs (when ``pretrain``)."""

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS)

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
            self.input_scaling_ = input_scaling(self, X)
        return scale_input(self, X, fit)

    def _initial_params(self, X, n_out, rng):
        params = self._random_params(X.shape[1], n_out, X.dtype, rng)
        if self.dbn is not None:
            rbms = self._given_rbms(X)
        elif self.pretrain:
            resolved = self.resolved_params_
            make, n_layers = rbm_factory(self, rng, "pretrain_", self.visible_,
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
        (values off it by up to 1e-3 at fit, or held-out rows scaled with the
        training fold's statistics overshooting it, are clipped; data plainly
        on another scale is an error: see :doc:`/defaults`), ``"gaussian"`` for standardized data.  ``"auto"``:
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
        the data, :mod:`deepbelief.training.budget`).
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
