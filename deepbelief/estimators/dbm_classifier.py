"""The feed-forward net a deep Boltzmann machine defines, fine-tuned for classification."""

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ..math.units import unit_type
from ..training.dbm_learning import mean_field_batched
from ._net import BaseDeepNet, ClassifierNetMixin, HiddenFeaturesMixin
from ._params import FINE_TUNING, OUTPUT_ONLY, RUN_CONTROL, constraints, make_init
from ._validation import fit_unit_scaling, in_unit_interval
from .dbm import DBM
from .dbn_nets import scale_input

_BLOCKS = ({"dbm": (None, [DBM, None])}, FINE_TUNING, OUTPUT_ONLY, RUN_CONTROL)


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


class DBMClassifier(ClassifierNetMixin, HiddenFeaturesMixin, BaseDeepNet):
    """The feed-forward net a DBM defines, fine-tuned by backprop for classification.

    As in Salakhutdinov & Hinton (2009): the input ``x`` is augmented with the
    mean-field posterior ``q(h^2 | x)`` of the DBM's second layer, and the net
    ``[x, q(h^2)] -> h^1 -> h^2 -> ... -> softmax`` starts from the DBM's
    weights (the first layer takes ``W_1`` from ``x`` and ``W_2^T`` from
    ``q(h^2)``, the top-down input it gets in the DBM); a new softmax layer
    sits on top, and the whole net is fine-tuned.  ``q(h^2 | x)`` is computed
    once per input and kept fixed.

    Parameters
    ----------
    dbm : DBM or None, default=None
        The DBM: a fitted one is used as it is (never changed); an unfitted one
        (as ``clone`` and ``GridSearchCV`` pass it on) is cloned and fitted on
        the training data, seeded from ``random_state`` when its own
        ``random_state`` is None.  ``None`` means ``DBM()``.  An unfitted DBM
        with Bernoulli visible units (the default) is trained on the input as
        given when it lies in [0, 1] (up to rounding), and otherwise on the
        input mapped onto [0, 1] with each feature's training minimum and
        maximum (``input_scaling_ = "minmax"``); held-out values beyond them are
        clipped, so the classifier takes any finite real-valued input.  A
        fitted Bernoulli DBM needs input in [0, 1].
    init, solver, alpha, l1, batch_size, learning_rate, learning_rate_init, momentum,
    max_iter, tol, n_iter_no_change, early_stopping, validation_fraction,
    dropout, input_dropout, max_norm, warm_start, verbose, n_iter_output_only :
        Fine-tuning, as in :class:`deepbelief.DBNClassifier`, except that the
        default solver is ``"adam"`` (step ``1e-3``); batch size, epochs and
        patience are resolved from the data (:mod:`deepbelief.training.budget`).  The
        published MNIST recipe passes ``solver="momentum"`` and its budget.
    random_state : int, RandomState instance or None
        Controls the DBM's training (see ``dbm``), the output layer's
        initialisation, minibatch order, dropout and the validation split.

    Attributes
    ----------
    dbm_ : DBM
        The fitted DBM behind the net.
    classes_, coefs_, intercepts_, params_, n_iter_, loss_curve_, history_ :
        As in :class:`deepbelief.DeepNetClassifier` (``coefs_[0]`` has
        ``n_features + n_2`` rows).
    resolved_params_ : dict
        The fine-tuning budget used (``"auto"`` resolved from the data).
    input_scaling_ : {"none", "minmax"}
        Whether the input is min-max scaled (see ``dbm``).
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DBM, DBMClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> dbm = DBM(hidden_layer_sizes=(64, 64), pretrain_n_iter=5, n_iter=5, random_state=0)
    >>> clf = DBMClassifier(dbm=dbm, max_iter=30, random_state=0).fit(X / 16, y)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """

    _parameter_constraints = constraints(*_BLOCKS)
    _pretraining_phase = "DBM"
    __init__ = make_init(*_BLOCKS, positional="dbm", solver="adam")

    def _activation(self):
        return "sigmoid"

    def _hidden_sizes(self):
        return self.dbm_._fitted_sizes()

    def _prepare_input(self, X, fit):
        if fit:
            template = DBM() if self.dbm is None else self.dbm
            self.visible_ = template.visible
            self.input_scaling_ = "none"
            # an unfitted DBM with Bernoulli units is trained on the input mapped onto [0, 1]
            if (unit_type(self.visible_).bounded and not in_unit_interval(X)
                    and not _is_fitted(template)):
                self.input_offset_, self.input_scale_ = fit_unit_scaling(X)
                self.input_scaling_ = "minmax"
        return scale_input(self, X, fit)

    def _fitted_dbm(self, X, rng):
        template = DBM() if self.dbm is None else self.dbm
        try:
            check_is_fitted(template)
            return template
        except NotFittedError:
            dbm = clone(template)
            if dbm.random_state is None:
                dbm.set_params(random_state=int(rng.integers(2**31 - 1)))
            # the classifier's verbose shows the DBM's phases too
            return dbm.set_params(verbose=max(dbm.verbose, self.verbose)).fit(X)

    def _input_features(self, X, fit=False):
        if fit:
            self.dbm_ = self._fitted_dbm(X, self._rng)
            if self.dbm_.n_features_in_ != X.shape[1]:
                raise ValueError(f"dbm was fitted on {self.dbm_.n_features_in_} features; "
                                 f"X has {X.shape[1]}.")
        if len(self.dbm_.coefs_) < 2:
            return X
        mus = mean_field_batched(X.astype(self.dbm_.coefs_[0].dtype, copy=False),
                                 self.dbm_.coefs_, self.dbm_.intercepts_,
                                 self.dbm_.n_mean_field)
        return np.hstack([X, mus[1].astype(X.dtype, copy=False)])

    def _initial_params(self, X, n_out, rng):
        params = self._random_params(X.shape[1], n_out, X.dtype, rng)
        Ws, bs = self.dbm_.coefs_, self.dbm_.intercepts_
        first = Ws[0] if len(Ws) < 2 else np.vstack([Ws[0], Ws[1].T])
        params["W"][0] = first.astype(X.dtype)
        for layer in range(1, len(Ws)):
            params["W"][layer] = Ws[layer].astype(X.dtype)
        for layer in range(len(Ws)):
            params["b"][layer] = bs[layer + 1].astype(X.dtype)
        return params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
