"""Nets pretrained as stacked (denoising) autoencoders, then fine-tuned by backprop."""

from ..training import budget
from ._net import BaseDeepNet, ClassifierNetMixin, RegressorNetMixin
from ._params import (
    AUTOENCODER_ACTIVATION,
    AUTOENCODER_PRETRAINING,
    FINE_TUNING,
    HIDDEN_LAYERS,
    OUTPUT_ONLY,
    RUN_CONTROL,
    constraints,
    make_init,
)
from ._validation import check_unit_interval
from .autoencoder import pretrain_autoencoder_stack

_BLOCKS = (HIDDEN_LAYERS, AUTOENCODER_ACTIVATION, AUTOENCODER_PRETRAINING, FINE_TUNING,
           OUTPUT_ONLY, RUN_CONTROL)


class _AutoencoderPretrainedNet(BaseDeepNet):
    """A net whose hidden layers start as the encoders of greedy autoencoders."""

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS)

    def _resolve_pretraining(self, n_samples):
        if not self.pretrain:
            return {}
        batch, epochs = budget.resolve(n_samples, self.pretrain_batch_size, self.pretrain_n_iter,
                                       "pretrain")
        return {"pretrain_batch_size": batch, "pretrain_n_iter": epochs}

    def _initial_params(self, X, n_out, rng):
        params = self._random_params(X.shape[1], n_out, X.dtype, rng)
        if not self.pretrain:
            return params
        if self.loss == "cross_entropy":
            check_unit_interval(X, "loss='cross_entropy' (sigmoid reconstructions)")
        layers = pretrain_autoencoder_stack(self, X, self._hidden_sizes(), rng)
        self.pretrained_ = layers
        for i, (W, b, _, _) in enumerate(layers):
            params["W"][i], params["b"][i] = W.astype(X.dtype), b.astype(X.dtype)
        return params


_SAE_NET_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100, 100)
        Hidden layers (one pretrained autoencoder each), input side first.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, default="sigmoid"
        (``"logistic"``, scikit-learn's name, is ``"sigmoid"``.)
    pretrain : bool, default=True
        Greedy autoencoder pretraining; ``False`` gives the same net randomly
        initialised with ``init``.
    loss : {"squared_error", "cross_entropy"}, default="squared_error"
        Reconstruction loss of the first autoencoder (``"cross_entropy"``: data
        in [0, 1], sigmoid reconstructions).  Higher sigmoid layers always use
        the cross-entropy on the codes below, other activations the squared error.
    tied, corruption, corruption_level, pretrain_n_iter, pretrain_learning_rate,
    pretrain_batch_size :
        Pretraining, as in :class:`StackedAutoencoder`; the default is the
        stacked denoising autoencoder (25 % masking noise, Vincent et al. 2010).
    init, solver, alpha, l1, batch_size, learning_rate, learning_rate_init, momentum,
    max_iter, tol, n_iter_no_change, early_stopping, validation_fraction,
    dropout, input_dropout, max_norm, warm_start, verbose, n_iter_output_only :
        Fine-tuning, as in :class:`deepbelief.DBNClassifier`.
    random_state : int, RandomState instance or None
        Controls pretraining, corruption, initialisation, minibatch order,
        dropout and the validation split.

    Attributes
    ----------
    pretrained_ : list of tuple
        ``(W, b, W_dec, b_dec)`` of each pretrained autoencoder.
    coefs_, intercepts_, params_, n_iter_, loss_curve_, history_, resolved_params_,
    n_features_in_ :
        As in :class:`deepbelief.DeepNetClassifier` (and ``target_mean_``,
        ``target_scale_`` of :class:`deepbelief.DeepNetRegressor`).
"""


class StackedAutoencoderClassifier(ClassifierNetMixin, _AutoencoderPretrainedNet):
    __doc__ = """Stacked (denoising) autoencoder pretraining, then backprop for classification.

    Bengio et al. (2007); Vincent et al. (2010).
    """ + _SAE_NET_DOC + """
    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import StackedAutoencoderClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = StackedAutoencoderClassifier((64, 64), loss="cross_entropy", max_iter=30,
    ...                                    random_state=0).fit(X / 16, y)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """


class StackedAutoencoderRegressor(RegressorNetMixin, _AutoencoderPretrainedNet):
    __doc__ = """Stacked (denoising) autoencoder pretraining, then backprop for regression.

    Same as :class:`StackedAutoencoderClassifier` with an identity output and
    squared error.
    """ + _SAE_NET_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> from deepbelief import StackedAutoencoderRegressor
    >>> X = np.random.default_rng(0).random((1000, 8))
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2]
    >>> reg = StackedAutoencoderRegressor((64,), solver="adam", learning_rate_init=0.02,
    ...                                   batch_size=20, max_iter=100, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

