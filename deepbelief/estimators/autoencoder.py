"""The deep autoencoder: greedy layer-wise pretraining, fine-tuned on reconstruction."""


import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._sklearn import StrOptions
from ..math.activations import (
    ACTIVATION_ALIASES,
    HIDDEN_ACTIVATIONS,
    canonical_activation,
)
from ..math.feedforward import NetSpec, forward
from ..training import budget
from ..training.greedy import autoencoder_configs, pretrain_autoencoders, pretrain_rbms
from ._net import BaseDeepNet
from ._params import (
    AUTOENCODER_ACTIVATION,
    AUTOENCODER_PRETRAINING,
    FINE_TUNING,
    HIDDEN_LAYERS,
    RUN_CONTROL,
    constraints,
    make_init,
)
from ._validation import check_unit_interval, fit_context

_BLOCKS = (
    HIDDEN_LAYERS,
    AUTOENCODER_ACTIVATION,
    {"code_activation": (None, [StrOptions({*HIDDEN_ACTIVATIONS, *ACTIVATION_ALIASES}),
                                None])},
    AUTOENCODER_PRETRAINING,
    {"pretrain": ("autoencoder", [StrOptions({"autoencoder", "rbm", "none"})])},
    FINE_TUNING,
    RUN_CONTROL,
)

def pretrain_autoencoder_stack(est, X, sizes, rng):
    """Greedy autoencoder pretraining with ``est``'s parameters, stated explicitly."""
    configs = autoencoder_configs(
        activation=est._activation(), loss=est.loss, tied=est.tied, corruption=est.corruption,
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
        Hidden units of the encoder and the decoder (``"logistic"`` is ``"sigmoid"``).
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
        updates (:mod:`deepbelief.training.budget`).
    pretrain_learning_rate : float, default=0.01
        Step size of pretraining (SGD with momentum 0.9 for autoencoders; CD-1
        with momentum 0.5 for RBMs, 10x smaller for Gaussian layers).
    pretrain_batch_size : int or "auto", default="auto"
        ``"auto"``: ``clip(n_samples // 100, 10, 100)`` (:mod:`deepbelief.training.budget`).
    init : str, default="glorot_uniform"
        Initializer of the layers that are not pretrained.
    solver, alpha, l1, batch_size, learning_rate, learning_rate_init, momentum,
    max_iter, tol, n_iter_no_change, early_stopping, validation_fraction,
    dropout, input_dropout, max_norm, warm_start, verbose :
        Fine-tuning, as in :class:`deepbelief.DeepNetRegressor` (defaults: Adam,
        step 1e-3, ``batch_size`` and ``max_iter`` resolved from the data by
        :mod:`deepbelief.training.budget`); ``input_dropout`` turns fine-tuning into
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

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS, hidden_layer_sizes=(256, 64), corruption="none", solver="adam")

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
        return canonical_activation(self.activation if self.code_activation is None
                                    else self.code_activation)

    def _layer_activations(self):
        k = len(self._encoder_sizes())
        act = self._activation()
        return tuple([act] * (k - 1) + [self._code_activation()] + [act] * (k - 1))

    def _activation(self):
        return canonical_activation(self.activation)

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
            if self._activation() != "sigmoid":
                raise ValueError("pretrain='rbm' needs activation='sigmoid' (the RBMs' "
                                 f"hidden units); got activation={self.activation!r}.")
            layers = pretrain_rbms(
                X, enc, gaussian_visible=self.loss != "cross_entropy",
                linear_code=self._code_activation() == "identity",
                learning_rate=self.pretrain_learning_rate,
                batch_size=self.resolved_params_["pretrain_batch_size"],
                n_epochs=self.resolved_params_["pretrain_n_iter"], rng=rng, verbose=self.verbose)
        else:
            layers = pretrain_autoencoder_stack(self, X, enc, rng)
        self.pretrained_ = layers
        k = len(enc)
        for i, (W, b, W_dec, b_dec) in enumerate(layers):
            params["W"][i], params["b"][i] = W.astype(X.dtype), b.astype(X.dtype)
            params["W"][2 * k - 1 - i] = W_dec.astype(X.dtype)
            params["b"][2 * k - 1 - i] = b_dec.astype(X.dtype)
        return params

    # -------------------------------------------------------------- fitting
    @fit_context(prefer_skip_nested_validation=True)
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

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of fine-tuning (pretraining first, on the first call)."""
        return self._fit(X, X, incremental=True)

    # ------------------------------------------------------------ inference
    def _partial_net(self, X, start, stop, output):
        check_is_fitted(self, "params_")
        p = self.params_
        params = {"W": p["W"][start:stop], "b": p["b"][start:stop], "gamma": [], "beta": []}
        acts = self._layer_activations()[start : stop - 1]
        spec = NetSpec(activation=self._activation(), output=output, activations=acts)
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
