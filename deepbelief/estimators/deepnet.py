"""The randomly initialised baselines: ``DeepNetClassifier`` and ``DeepNetRegressor``."""

from ._net import BaseDeepNet, ClassifierNetMixin, RegressorNetMixin
from ._params import (
    ACTIVATION,
    FINE_TUNING,
    HIDDEN_LAYERS,
    NORMALIZATION,
    RUN_CONTROL,
    constraints,
    make_init,
    net_init_doc,
)

# MLPClassifier's defaults: Adam at 1e-3, 200 epochs, patience 10
_MLP_DEFAULTS = dict(hidden_layer_sizes=(100,), solver="adam", learning_rate_init=0.001,
                     max_iter=200, n_iter_no_change=10)
_BLOCKS = (HIDDEN_LAYERS, ACTIVATION, FINE_TUNING, NORMALIZATION, RUN_CONTROL)


@net_init_doc
class DeepNetClassifier(ClassifierNetMixin, BaseDeepNet):
    """Randomly initialised deep net classifier: the baseline of the experiments.

    Any activation, any initializer, optional batch normalization and residual
    connections between equal-width hidden layers.  Parameter names follow
    :class:`sklearn.neural_network.MLPClassifier`.

    Parameters
    ----------%(net_params)s
    batch_norm : bool, default=False
        Batch normalization of every hidden layer's pre-activation.
    residual : bool, default=False
        Skip connections ``y = act(x W + b) + x`` where a hidden layer keeps
        its width.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coefs_, intercepts_ : lists of ndarray
        Weights ``(fan_in, fan_out)`` and biases per layer, input side first.
    params_ : dict
        All trained parameters (``W``, ``b``, batch-norm ``gamma``/``beta``).
    n_iter_ : int
        Epochs run.
    loss_, loss_curve_ : float, list of float
    validation_scores_, best_validation_score_ : list, float
        With ``early_stopping``.
    history_ : dict of lists
        Per epoch: ``loss``, ``seconds``, ``learning_rate``, ``val_score`` (with
        early stopping), ``grad_norms`` (one norm per weight layer, input side
        first) and ``saturation`` (per hidden layer), measured on a fixed batch
        of up to 1000 training rows; ``grad_norms_init`` and ``saturation_init``
        hold the same before training.
    resolved_params_ : dict
        The batch size, ``learning_rate_init``, ``max_iter`` and
        ``n_iter_no_change`` used (``"auto"`` resolved from the data; for the
        pretrained nets also the pretraining batch size and epochs).
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DeepNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DeepNetClassifier(hidden_layer_sizes=(64, 64), activation="relu",
    ...                         init="he_normal", max_iter=20, random_state=0).fit(X / 16, y)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """

    _parameter_constraints = constraints(*_BLOCKS)
    _mlp_batch_rule = True
    _training_phase = "training"

    __init__ = make_init(*_BLOCKS, **_MLP_DEFAULTS)


@net_init_doc
class DeepNetRegressor(RegressorNetMixin, BaseDeepNet):
    """Randomly initialised deep net regressor (squared error, identity output).

    Parameters
    ----------%(net_params)s
    batch_norm : bool, default=False
    residual : bool, default=False

    Attributes
    ----------
    coefs_, intercepts_, params_, n_iter_, loss_curve_, history_, resolved_params_ :
        As in :class:`DeepNetClassifier`.
    target_mean_, target_scale_ : ndarray of shape (n_targets,)
        The training targets' mean and standard deviation: the net is fitted
        to standardized targets and ``predict`` maps its output back.

    Examples
    --------
    >>> import numpy as np
    >>> from deepbelief import DeepNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3)); y = X @ [1.0, -2.0, 0.5]
    >>> reg = DeepNetRegressor((32,), activation="tanh", max_iter=200, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.95)
    True
    """

    _parameter_constraints = constraints(*_BLOCKS)
    _mlp_batch_rule = True
    _training_phase = "training"

    __init__ = make_init(*_BLOCKS, **_MLP_DEFAULTS)
