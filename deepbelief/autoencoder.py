"""Stacked (denoising) autoencoders: the reconstruction model, and nets fine-tuned from it."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import budget
from ._sklearn import Interval, StrOptions, _fit_context
from ._validation import check_unit_interval
from .activations import HIDDEN_ACTIVATIONS
from .autoencoding import CORRUPTIONS
from .deepnet import (
    NET_CONSTRAINTS,
    OUTPUT_ONLY_CONSTRAINT,
    BaseDeepNet,
    ClassifierNetMixin,
    RegressorNetMixin,
)
from .feedforward import NetSpec, forward
from .pretraining import autoencoder_configs, pretrain_autoencoders, pretrain_rbms

AE_CONSTRAINTS = {
    "activation": [StrOptions({"sigmoid", "tanh", "relu", "leaky_relu"})],
    "tied": ["boolean"],
    "corruption": [StrOptions(set(CORRUPTIONS))],
    "corruption_level": [Interval(Real, 0, None, closed="left")],
    "pretrain_n_iter": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
    "pretrain_learning_rate": [Interval(Real, 0, None, closed="neither")],
    "pretrain_batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "loss": [StrOptions({"squared_error", "cross_entropy"})],
}
_NET = {k: v for k, v in NET_CONSTRAINTS.items()
        if k not in ("activation", "batch_norm", "residual")}


def _pretrain_autoencoders(est, X, sizes, rng):
    """Greedy autoencoder pretraining with ``est``'s parameters, stated explicitly."""
    configs = autoencoder_configs(
        activation=est.activation, loss=est.loss, tied=est.tied, corruption=est.corruption,
        corruption_level=est.corruption_level, learning_rate=est.pretrain_learning_rate,
        batch_size=est.resolved_params_["pretrain_batch_size"])
    return pretrain_autoencoders(X, sizes, configs, est.resolved_params_["pretrain_n_iter"], rng,
                                 verbose=est.verbose)

class StackedAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseDeepNet):
    """Deep autoencoder: greedy layer-wise pretraining, then fine-tuning on reconstruction.

    The encoder ``x -> h^1 -> ... -> code`` (``hidden_layer_sizes``) and its
    mirror-image decoder form one net, initialised from a stack of
    one-hidden-layer autoencoders (plain or denoising; Bengio et al. 2007,
    Vincent et al. 2010) or of RBMs (Hinton & Salakhutdinov 2006), and
    fine-tuned end to end by backprop to reconstruct its input.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(256, 64)
        Encoder widths, input side first; the last is the code size.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, default="sigmoid"
        Hidden units of the encoder and the decoder.
    code_activation : str or None, default=None
        Units of the code layer (``"identity"``: a linear code, as in Hinton &
        Salakhutdinov 2006); None means ``activation``.
    loss : {"squared_error", "cross_entropy"}, default="squared_error"
        Reconstruction loss: squared error with linear outputs (any real data),
        or the binary cross-entropy with sigmoid outputs (data in [0, 1]).
    pretrain : {"autoencoder", "rbm", "none"}, default="autoencoder"
        Greedy autoencoders, greedy RBMs (``activation="sigmoid"`` only; the
        decoder starts as the transposed encoder), or random initialisation.
    tied : bool, default=True
        Pretraining autoencoders use ``W^T`` as their decoder.  After
        unrolling, the decoder of the deep net is a separate copy either way.
    corruption : {"none", "masking", "gaussian"}, default="none"
        Input corruption of the pretraining autoencoders (denoising).
    corruption_level : float, default=0.25
        Fraction of inputs masked, or the standard deviation of the noise.
    pretrain_n_iter : int or "auto", default="auto"
        Epochs per pretrained layer; ``"auto"``: 10-30 epochs for about 2,000
        updates (:mod:`deepbelief.budget`).
    pretrain_learning_rate : float, default=0.01
        Step size of pretraining (SGD with momentum 0.9 for autoencoders; CD-1
        with momentum 0.5 for RBMs, 10x smaller for Gaussian layers).
    pretrain_batch_size : int or "auto", default="auto"
        ``"auto"``: ``clip(n_samples // 100, 10, 100)`` (:mod:`deepbelief.budget`).
    init : str, default="glorot_uniform"
        Initializer of the layers that are not pretrained.
    solver, alpha, l1, batch_size, learning_rate, learning_rate_init, momentum,
    max_iter, tol, n_iter_no_change, early_stopping, validation_fraction,
    dropout, input_dropout, max_norm, warm_start, verbose :
        Fine-tuning, as in :class:`deepbelief.DeepNetRegressor` (defaults: Adam,
        step 1e-3, ``batch_size`` and ``max_iter`` resolved from the data by
        :mod:`deepbelief.budget`); ``input_dropout`` turns fine-tuning into
        denoising too.
    random_state : int, RandomState instance or None
        Controls pretraining, initialisation, corruption, minibatch order,
        dropout and the validation split.

    Attributes
    ----------
    coefs_, intercepts_ : lists of ndarray
        Encoder layers, then decoder layers (input side first).
    pretrained_ : list of tuple
        ``(W, b, W_dec, b_dec)`` of each pretrained layer, before fine-tuning.
    n_iter_, loss_curve_, history_, n_features_in_ :
        As in :class:`deepbelief.DeepNetRegressor` (``history_["grad_norms"]``:
        per-layer gradient norms of the reconstruction loss).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import StackedAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = StackedAutoencoder((32, 8), loss="cross_entropy", max_iter=20,
    ...                         random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    >>> bool(ae.reconstruction_error(X) < ((X - X.mean(0)) ** 2).sum(1).mean())
    True
    """

    _parameter_constraints = {
        **_NET, **AE_CONSTRAINTS,
        "code_activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), None],
        "pretrain": [StrOptions({"autoencoder", "rbm", "none"})],
    }

    def __init__(self, hidden_layer_sizes=(256, 64), *, activation="sigmoid", code_activation=None,
                 loss="squared_error", pretrain="autoencoder", tied=True, corruption="none",
                 corruption_level=0.25, pretrain_n_iter="auto", pretrain_learning_rate=0.01,
                 pretrain_batch_size="auto", init="glorot_uniform", solver="adam", alpha=1e-4,
                 l1=0.0, batch_size="auto", learning_rate="constant", learning_rate_init="auto",
                 momentum=0.9, max_iter="auto", tol=1e-4, n_iter_no_change="auto", early_stopping=False,
                 validation_fraction=0.1, dropout=0.0, input_dropout=0.0, max_norm=None,
                 warm_start=False, verbose=0, random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation
        self.loss = loss
        self.pretrain = pretrain
        self.tied = tied
        self.corruption = corruption
        self.corruption_level = corruption_level
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
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
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.max_norm = max_norm
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state

    def _resolve_pretraining(self, n_samples):
        if self.pretrain == "none":
            return {}
        batch, epochs = budget.resolve(n_samples, self.pretrain_batch_size, self.pretrain_n_iter,
                                       "pretrain")
        return {"pretrain_batch_size": batch, "pretrain_n_iter": epochs}

    # ------------------------------------------------------------ structure
    @property
    def _loss(self):
        return "binary_log_loss" if self.loss == "cross_entropy" else "squared_error"

    def _encoder_sizes(self):
        return BaseDeepNet._hidden_sizes(self)

    def _hidden_sizes(self):
        enc = self._encoder_sizes()
        return enc + enc[-2::-1]

    def _code_activation(self):
        return self.activation if self.code_activation is None else self.code_activation

    def _layer_activations(self):
        k = len(self._encoder_sizes())
        return tuple([self.activation] * (k - 1) + [self._code_activation()]
                     + [self.activation] * (k - 1))

    def _activation(self):
        return self.activation

    @property
    def _n_features_out(self):
        return self._encoder_sizes()[-1]

    def _encode_targets(self, y, dtype, first, classes=None):
        Y = np.asarray(y, dtype=dtype)
        if self.loss == "cross_entropy":
            check_unit_interval(Y, "loss='cross_entropy' (sigmoid outputs)")
        return Y

    def _initial_params(self, X, n_out, rng):
        params = self._random_params(X.shape[1], n_out, X.dtype, rng)
        enc = self._encoder_sizes()
        if self.pretrain == "none":
            return params
        if self.pretrain == "rbm":
            if self.activation != "sigmoid":
                raise ValueError("pretrain='rbm' needs activation='sigmoid' (the RBMs' "
                                 f"hidden units); got activation={self.activation!r}.")
            layers = pretrain_rbms(
                X, enc, gaussian_visible=self.loss != "cross_entropy",
                linear_code=self._code_activation() == "identity",
                learning_rate=self.pretrain_learning_rate,
                batch_size=self.resolved_params_["pretrain_batch_size"],
                n_epochs=self.resolved_params_["pretrain_n_iter"], rng=rng, verbose=self.verbose)
        else:
            layers = _pretrain_autoencoders(self, X, enc, rng)
        self.pretrained_ = layers
        k = len(enc)
        for i, (W, b, W_dec, b_dec) in enumerate(layers):
            params["W"][i], params["b"][i] = W.astype(X.dtype), b.astype(X.dtype)
            params["W"][2 * k - 1 - i] = W_dec.astype(X.dtype)
            params["b"][2 * k - 1 - i] = b_dec.astype(X.dtype)
        return params

    # -------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain greedily, then fine-tune the whole autoencoder on reconstructing ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self
        """
        return self._fit(X, X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of fine-tuning (pretraining first, on the first call)."""
        return self._fit(X, X, incremental=True)

    # ------------------------------------------------------------ inference
    def _partial_net(self, X, start, stop, output):
        check_is_fitted(self, "params_")
        p = self.params_
        params = {"W": p["W"][start:stop], "b": p["b"][start:stop], "gamma": [], "beta": []}
        acts = self._layer_activations()[start : stop - 1]
        spec = NetSpec(activation=self.activation, output=output, activations=acts)
        out, _ = forward(params, X, spec)
        return out

    def transform(self, X):
        """Codes: the encoder's output, shape (n_samples, code size)."""
        check_is_fitted(self, "params_")
        X = validate_data(self, X, reset=False, dtype=self.params_["W"][0].dtype)
        k = len(self._encoder_sizes())
        return self._partial_net(X, 0, k, self._code_activation())

    def inverse_transform(self, H):
        """Reconstructions from codes: the decoder's output."""
        check_is_fitted(self, "params_")
        k = len(self._encoder_sizes())
        H = np.asarray(H, dtype=self.params_["W"][0].dtype)
        if H.ndim != 2 or H.shape[1] != self._encoder_sizes()[-1] or not np.isfinite(H).all():
            raise ValueError(f"H must be a finite array of shape (n_samples, "
                             f"{self._encoder_sizes()[-1]}); got shape {H.shape}.")
        return self._partial_net(H, k, 2 * k, "sigmoid" if self.loss == "cross_entropy"
                                 else "identity")

    def reconstruct(self, X):
        """The autoencoder's output for ``X``."""
        return self._forward(X)

    def reconstruction_error(self, X):
        """Mean over samples of the squared error ``||x - r(x)||^2``."""
        R = self.reconstruct(X)
        X = np.asarray(X, dtype=R.dtype)
        return float(np.mean(np.einsum("ij,ij->i", X - R, X - R)))

    def score(self, X, y=None):
        """Negative :meth:`reconstruction_error` (higher is better)."""
        return -self.reconstruction_error(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _init_sae_net(self, hidden_layer_sizes=(100, 100), *, activation="sigmoid",
                  pretrain=True, loss="squared_error", tied=True, corruption="masking",
                  corruption_level=0.25, pretrain_n_iter="auto", pretrain_learning_rate=0.01,
                  pretrain_batch_size="auto", init="glorot_uniform", solver="momentum",
                  alpha=1e-4, l1=0.0, batch_size="auto", learning_rate="constant",
                  learning_rate_init="auto", momentum=0.9, max_iter="auto", tol=1e-4,
                  n_iter_no_change="auto", n_iter_output_only=0, early_stopping=False,
                  validation_fraction=0.1, dropout=0.0, input_dropout=0.0, max_norm=None,
                  warm_start=False, verbose=0, random_state=None):
    self.hidden_layer_sizes = hidden_layer_sizes
    self.activation = activation
    self.pretrain = pretrain
    self.loss = loss
    self.tied = tied
    self.corruption = corruption
    self.corruption_level = corruption_level
    self.pretrain_n_iter = pretrain_n_iter
    self.pretrain_learning_rate = pretrain_learning_rate
    self.pretrain_batch_size = pretrain_batch_size
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


class _AutoencoderPretrainedNet(BaseDeepNet):
    """A net whose hidden layers start as the encoders of greedy autoencoders."""

    _parameter_constraints = {**_NET, **AE_CONSTRAINTS, **OUTPUT_ONLY_CONSTRAINT,
                              "pretrain": ["boolean"]}
    __init__ = _init_sae_net

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
        layers = _pretrain_autoencoders(self, X, self._hidden_sizes(), rng)
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

