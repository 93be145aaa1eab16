"""The supervised nets' shared base: validation, the engine, attributes.

Every net of the package (randomly initialised, DBN-, DBM- and
autoencoder-pretrained) is a :class:`BaseDeepNet` with the classifier or
regressor mixin; subclasses differ only in how the first weights are made.
"""

from contextlib import nullcontext

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import TransformerTags
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ..math.activations import OUTPUT_FOR_LOSS, canonical_activation
from ..math.feedforward import NetSpec, forward, init_bn_stats, init_params
from ..training import budget
from ..training.backprop import FitConfig, train_network
from ..training.conjugate_gradient import LINE_SEARCH_SOLVERS, check_deterministic
from ..training.diagnostics import layer_diagnostics
from ..training.progress import phase
from ._persistence import VersionedStateMixin
from ._validation import (
    all_or_nothing,
    check_hidden_layer_sizes,
    check_same_architecture,
    fit_context,
    make_generator,
)

_MONITOR_ROWS = 1000


class BaseDeepNet(VersionedStateMixin, BaseEstimator):
    """Everything the supervised nets share: validation, the engine, attributes.

    Subclasses set ``_loss`` and implement ``_encode_targets`` and
    ``_initial_params(X, rng)``; the latter is where pretraining happens.
    """

    _loss = "log_loss"
    # the phases of a fit as verbose names them (deepbelief.training.progress)
    _pretraining_phase = "pretraining"
    _training_phase = "fine-tuning"

    # ---------------------------------------------------------------- pieces
    def _hidden_sizes(self):
        return check_hidden_layer_sizes(self.hidden_layer_sizes)

    def _activation(self):
        return canonical_activation(self.activation)

    def _spec(self):
        return NetSpec(
            activation=self._activation(),
            output=OUTPUT_FOR_LOSS[self._loss],
            batch_norm=getattr(self, "batch_norm", False),
            residual=getattr(self, "residual", False),
            dropout_input=self.input_dropout,
            dropout_hidden=self.dropout,
            activations=self._layer_activations(),
        )

    def _layer_activations(self):
        return ()  # the same activation in every hidden layer

    # the pretrained nets take the data-scaled rule of deepbelief.training.budget for
    # batch_size="auto"; the random-init nets keep MLPClassifier's min(200, n)
    _mlp_batch_rule = False

    def _resolve_budget(self, n_samples, first=True):
        """``resolved_params_``: the training budget, ``"auto"`` resolved for ``n_samples``."""
        if self._mlp_batch_rule and self.batch_size == "auto":
            batch = min(200, n_samples)
            epochs = budget.resolve(n_samples, batch, self.max_iter, "finetune")[1]
        else:
            batch, epochs = budget.resolve(n_samples, self.batch_size, self.max_iter, "finetune")
        patience = (budget.auto_patience(n_samples, batch) if self.n_iter_no_change == "auto"
                    else self.n_iter_no_change)
        lr = (budget.auto_learning_rate(self.solver, batch) if self.learning_rate_init == "auto"
              else self.learning_rate_init)
        resolved = {"batch_size": batch, "learning_rate_init": lr, "max_iter": epochs,
                    "n_iter_no_change": patience}
        if first:
            resolved = {**self._resolve_pretraining(n_samples), **resolved}
        else:
            resolved = {**self.resolved_params_, **resolved}
        self.resolved_params_ = resolved
        if self.verbose:
            print(budget.report(type(self).__name__, resolved))
        return resolved

    def _resolve_pretraining(self, n_samples):
        return {}  # no pretraining

    def _prepare_input(self, X, fit):
        """The input the net sees: as given here; Bernoulli-unit nets apply their range rule."""
        return X

    def _config(self, n_samples):
        resolved = self.resolved_params_
        return FitConfig(
            loss=self._loss, solver=self.solver, learning_rate_init=resolved["learning_rate_init"],
            learning_rate_schedule=self.learning_rate, momentum=self.momentum, alpha=self.alpha,
            l1=self.l1, max_norm=self.max_norm, batch_size=resolved["batch_size"],
            max_iter=resolved["max_iter"],
            tol=self.tol, n_iter_no_change=resolved["n_iter_no_change"], verbose=self.verbose,
            n_iter_output_only=getattr(self, "n_iter_output_only", 0),
        )

    def _random_params(self, n_in, n_out, dtype, rng):
        sizes = [n_in, *self._hidden_sizes(), n_out]
        return init_params(sizes, self.init, rng, dtype, batch_norm=self._spec().batch_norm)

    def _initial_params(self, X, n_out, rng):
        return self._random_params(X.shape[1], n_out, X.dtype, rng)

    def _input_features(self, X, fit=False):
        """What the net sees of ``X`` (the DBM classifier appends posterior means)."""
        return X

    # --------------------------------------------------------------- fitting
    def _check_continuation(self):
        """The net a warm start or ``partial_fit`` continues has the shape asked for."""
        if "hidden_layer_sizes" in self._parameter_constraints:
            fitted = [W.shape[1] for W in self.params_["W"][:-1]]
            check_same_architecture(fitted, self._hidden_sizes(), "hidden layer widths")
        if "batch_norm" in self._parameter_constraints:
            check_same_architecture([bool(self.params_["gamma"])], [bool(self.batch_norm)],
                                    "batch_norm")

    def _fit(self, X, y, *, incremental, classes=None):
        if "hidden_layer_sizes" in self._parameter_constraints:  # checked before any change
            check_hidden_layer_sizes(self.hidden_layer_sizes)
        first = not (hasattr(self, "params_") and (incremental or self.warm_start))
        prepared = False
        # a first fit whose checks or pretraining fail leaves the net as it was
        with all_or_nothing(self, "pretraining") if first else nullcontext():
            X, y = validate_data(self, X, y, reset=first, dtype=[np.float64, np.float32],
                                 multi_output=self._loss != "log_loss", y_numeric=False)
            if self.solver in LINE_SEARCH_SOLVERS:  # before any pretraining is spent
                check_deterministic(self._spec())
            if not first:
                self._check_continuation()
            if not first and X.dtype != self.params_["W"][0].dtype:
                X = X.astype(self.params_["W"][0].dtype)
            Y = self._encode_targets(y, X.dtype, first, classes)
            X = self._prepare_input(X, fit=first)
            self._resolve_budget(X.shape[0], first=first)
            if not first:
                X = self._input_features(X)
            if first:
                self._rng = make_generator(self.random_state)
                with phase(self._pretraining_phase):
                    X = self._input_features(X, fit=True)
                    self.params_ = self._initial_params(X, Y.shape[1], self._rng)
                self._bn_stats = init_bn_stats(self.params_)
                self._opt_state = None
                self.history_ = {}
                self.n_iter_ = 0
                self.coefs_, self.intercepts_ = self.params_["W"], self.params_["b"]
            prepared = True
        if not prepared:  # interrupted: as it was, as the warning said
            return self
        rng = self._rng
        cfg = self._config(X.shape[0])
        validation = score = None
        if self.early_stopping and not incremental:
            strat = y if self._loss == "log_loss" and _can_stratify(y, self.validation_fraction) else None
            X, X_val, Y, Y_val = train_test_split(
                X, Y, test_size=self.validation_fraction, stratify=strat,
                random_state=int(rng.integers(2**31 - 1)))
            validation, score = (X_val, Y_val), self._validation_score
        rows = rng.choice(X.shape[0], min(X.shape[0], _MONITOR_ROWS), replace=False)
        monitor = (X[rows], Y[rows])
        try:  # a divergence restores the last good epoch: the counts follow it
            with phase(self._training_phase):
                self._opt_state, self.history_ = train_network(
                    self.params_, X, Y, self._spec(), cfg, rng, opt_state=self._opt_state,
                    bn_stats=self._bn_stats, history=self.history_, validation=validation,
                    score=score, monitor=monitor, start_epoch=self.n_iter_,
                    n_epochs=1 if incremental else cfg.max_iter)
        finally:
            self._record_training()
        return self

    def _record_training(self):
        """``n_iter_``, ``loss_curve_`` and the rest, from ``history_``."""
        self.n_iter_ = len(self.history_.get("loss", []))
        self.loss_curve_ = list(self.history_.get("loss", []))
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else np.nan
        if self.history_.get("val_score"):
            self.validation_scores_ = list(self.history_["val_score"])
            self.best_validation_score_ = max(self.validation_scores_)
        self.n_layers_ = len(self.coefs_) + 1
        self.out_activation_ = self._spec().output

    def _validation_score(self, params, X_val, Y_val):
        out, _ = forward(params, X_val, self._spec(), bn_stats=self._bn_stats)
        if self._loss == "log_loss":
            return accuracy_score(Y_val.argmax(1), out.argmax(1))
        return r2_score(Y_val, out)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network (after pretraining, for the pretrained estimators).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False)

    def _forward(self, X, hidden_only=False):
        check_is_fitted(self, "params_")
        X = validate_data(self, X, reset=False, dtype=self.params_["W"][0].dtype)
        X = self._input_features(self._prepare_input(X, fit=False))
        out, _ = forward(self.params_, X, self._spec(), bn_stats=self._bn_stats,
                         hidden_only=hidden_only)
        return out

    def layer_diagnostics(self, X, y):
        """Per-layer gradient norms and saturation of the fitted net on ``(X, y)``.

        One full-batch forward and backward pass through the net as it is now
        (at any stage: a net fitted with ``max_iter=0`` shows its
        initialisation, pretrained or random), without dropout, on ``X`` as
        ``predict`` sees it.

        Returns
        -------
        grad_norms : list of float
            ``||dL/dW_l||`` for every weight layer, input side first.
        saturation : list of float
            The fraction of saturated units of every hidden layer.
        """
        check_is_fitted(self, "params_")
        X = validate_data(self, X, reset=False, dtype=self.params_["W"][0].dtype)
        X = self._input_features(self._prepare_input(X, fit=False))
        Y = self._encode_targets(np.asarray(y), X.dtype, first=False)
        return layer_diagnostics(self.params_, X, Y, self._spec())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _can_stratify(y, fraction):
    _, counts = np.unique(y, return_counts=True)
    return counts.min() >= 2 and int(len(y) * fraction) >= len(counts)


class HiddenFeaturesMixin:
    """``transform``: the fine-tuned net's top hidden layer, as features."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64", "float32"])
        return tags

    def transform(self, X):
        """The activations of the fine-tuned net's top hidden layer.

        The features the output layer reads: for a DBN or DBM net, what
        pretraining learnt and fine-tuning adjusted (for a
        :class:`~sklearn.pipeline.Pipeline` step, a visualisation, or another
        classifier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        H : ndarray of shape (n_samples, n_units of the top hidden layer)
        """
        return self._forward(X, hidden_only=True)

    def fit_transform(self, X, y):
        """Fit the net on ``(X, y)``, then :meth:`transform` ``X`` (a Pipeline's
        feature step)."""
        return self.fit(X, y).transform(X)


class ClassifierNetMixin(ClassifierMixin):
    """Softmax output, cross-entropy loss, ``classes_``, probabilities."""

    _loss = "log_loss"

    def _encode_targets(self, y, dtype, first, classes=None):
        if first:
            target_type = type_of_target(y, input_name="y")
            if target_type not in ("binary", "multiclass"):
                raise ValueError(f"Unknown label type: {target_type}; expected binary or multiclass.")
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y if classes is None else classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={np.unique(classes).tolist()} is not the same as on the "
                             f"first call to partial_fit, {self.classes_.tolist()}.")
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(f"y has labels {unknown.tolist()} not in classes "
                             f"{self.classes_.tolist()}.")
        if len(self.classes_) == 1:  # one class: one output, always probability 1
            return np.ones((len(y), 1), dtype=dtype)
        Y = self._label_binarizer.transform(y).astype(dtype)
        if Y.shape[1] == 1:  # binary: two softmax outputs
            Y = np.hstack([1 - Y, Y])
        return Y

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        return self._forward(X)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        P = self.predict_proba(X)
        return np.log(np.maximum(P, np.finfo(P.dtype).tiny))

    def predict(self, X):
        """Most probable class."""
        P = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(P, axis=1)]

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``; ``classes`` is required on the first call."""
        if not hasattr(self, "params_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


class RegressorNetMixin(RegressorMixin):
    """Identity output, squared-error loss, on standardized targets.

    The net is trained on ``(y - target_mean_) / target_scale_`` (each target's
    training mean and standard deviation, from the first call of ``fit`` or
    ``partial_fit``) and :meth:`predict` maps its output back, so step sizes
    suit any target scale; ``loss_curve_`` is in standardized units.
    """

    _loss = "squared_error"

    def _encode_targets(self, y, dtype, first, classes=None):
        y = np.asarray(y, dtype=dtype)
        Y = y.reshape(len(y), -1)
        if first:
            self._y_ndim = y.ndim
            self.target_mean_ = Y.mean(axis=0, dtype=np.float64).astype(dtype)
            std = Y.std(axis=0, dtype=np.float64)
            self.target_scale_ = np.where(std > 0, std, 1.0).astype(dtype)
        elif Y.shape[1] != self.target_mean_.shape[0]:
            raise ValueError(f"y has {Y.shape[1]} target(s); the model was fitted on "
                             f"{self.target_mean_.shape[0]}.")
        return (Y - self.target_mean_) / self.target_scale_

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_targets)."""
        out = self._forward(X)
        out *= self.target_scale_
        out += self.target_mean_
        return out.ravel() if self._y_ndim == 1 else out

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """One epoch over ``(X, y)``."""
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
