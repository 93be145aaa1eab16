"""Greedy layer-wise pretraining of a stack of RBMs (Hinton, Osindero & Teh 2006).

Each RBM is trained on the hidden layer of the one below, computed once per
layer for the whole data set (never per minibatch): binary samples of
``P(h | v)`` (the default), which are exact samples of the aggregated posterior
the next RBM should model, or the probabilities themselves.

The stacks behind :class:`deepbelief.StackedAutoencoder` and its nets live here
too: greedy one-layer autoencoders (:mod:`deepbelief.training.autoencoder`) or greedy
RBMs with a linear top layer, each returned as ``(W, b, W_dec, b_dec)`` per
layer for unrolling.
"""

import numpy as np

from ..math.energy import sample_bernoulli, sigmoid
from .autoencoder import AEConfig, greedy_autoencoders
from .contrastive_divergence import (
    CDConfig,
    init_cd_state,
    reconstruction_monitor,
    train_rbm,
)
from .loop import stack_greedily
from .progress import phase_label

PROPAGATE = ("samples", "probabilities")


def greedy_layerwise(X, make_rbm, n_layers, *, propagate="samples", rng=None, verbose=0):
    """Fit ``n_layers`` RBMs bottom-up; ``make_rbm(layer)`` returns an unfitted one.

    ``propagate="samples"`` trains each RBM on one binary sample of the hidden
    units below per row (drawn with ``rng``); ``"probabilities"`` on ``P(h | v)``.
    On the digits, probabilities of a deep stack fade toward constants layer
    after layer (mean per-unit std 0.08 -> 0.0004 over 8 layers) while samples
    keep them varying (0.08 -> 0.19), and 8-layer nets fine-tune from the
    sampled stack only.  Returns the list of fitted RBMs, input side first.
    """
    if propagate not in PROPAGATE:
        raise ValueError(f"propagate must be one of {PROPAGATE}; got {propagate!r}.")
    rng = np.random.default_rng(rng)

    def fit_layer(layer, data):
        rbm = make_rbm(layer)
        if verbose:
            print(f"{phase_label('DBN')}: {data.shape[1]} -> {rbm.n_components}")
        return rbm.fit(data)

    def pass_up(layer, rbm, data):
        return pass_layer_up(rbm, data, propagate, rng)

    return stack_greedily(X, n_layers, fit_layer, pass_up)


def pass_layer_up(rbm, data, propagate, rng):
    """What ``rbm`` passes to the RBM above it in training: one binary sample of
    its hidden units per row (``propagate="samples"``) or their probabilities."""
    data = rbm.transform(data)
    return sample_bernoulli(data, rng, out=data) if propagate == "samples" else data


def propagate_up(rbms, X):
    """Hidden probabilities of the top RBM, layer by layer: the DBN's features."""
    for rbm in rbms:
        X = rbm.transform(X)
    return X


def propagate_down(rbms, H):
    """Top-down generative pass: visible means of each RBM from the layer above."""
    for rbm in reversed(rbms):
        H = rbm.inverse_transform(H)
    return H


def seeds(rng, n):
    """``n`` integer seeds drawn from a Generator, one per sub-model."""
    return [int(s) for s in rng.integers(0, 2**31 - 1, size=n)]


def unroll(rbms, params):
    """Copy RBM weights and hidden biases into the first layers of a net's ``params``."""
    for layer, rbm in enumerate(rbms):
        params["W"][layer] = np.array(rbm.components_.T, order="C", copy=True)
        params["b"][layer] = rbm.intercept_hidden_.copy()
    return params


# --------------------------------------------------------------------------
# the stacks behind the autoencoder estimators
# --------------------------------------------------------------------------
GAUSSIAN_LR_FACTOR = 0.1  # RBM layers with Gaussian units learn 10x slower


def autoencoder_configs(*, activation, loss, tied, corruption, corruption_level,
                        learning_rate, batch_size):
    """``make_config(layer)`` of greedy autoencoder pretraining.

    The first autoencoder reconstructs the data with ``loss``; the others
    reconstruct the codes below (sigmoid codes lie in [0, 1]: cross-entropy).
    Each trains by SGD with momentum 0.9.
    """
    init = "he_uniform" if activation in ("relu", "leaky_relu") else "glorot_uniform"

    def make(layer):
        if layer == 0:
            output = "sigmoid" if loss == "cross_entropy" else "identity"
        else:
            output = "sigmoid" if activation == "sigmoid" else "identity"
        return AEConfig(activation=activation, output=output, tied=tied, corruption=corruption,
                        corruption_level=corruption_level, solver="momentum",
                        learning_rate=learning_rate, momentum=0.9, batch_size=batch_size,
                        init=init)

    return make


def pretrain_autoencoders(X, sizes, make_config, n_epochs, rng, *, verbose=0):
    """Greedy autoencoders: ``[(W, b, W_dec, b_dec)]`` per layer, input side first."""
    states = greedy_autoencoders(X, sizes, make_config, rng, n_epochs, verbose=verbose)
    out = []
    for s in states:
        p = s.params
        W_dec = p["W_out"] if "W_out" in p else p["W"].T
        out.append((p["W"], p["b"], np.ascontiguousarray(W_dec), p["b_out"]))
    return out


def pretrain_rbms(X, sizes, *, gaussian_visible, linear_code, learning_rate, batch_size,
                  n_epochs, rng, verbose=0):
    """Greedy RBMs as in Hinton & Salakhutdinov (2006): ``[(W, c, W^T, b)]`` per layer.

    The first RBM has Gaussian visible units with ``gaussian_visible`` (else
    Bernoulli ones: data in [0, 1]); with ``linear_code`` the top RBM has
    Gaussian (linear) hidden units.  Layers with Gaussian units learn with a
    learning rate 10 times smaller (``GAUSSIAN_LR_FACTOR``; the paper used 100 times
    smaller, which left our top layer untrained within 15 epochs).  Each RBM is
    trained with CD-1 (momentum 0.5, weight decay 2e-4) on the hidden means of
    the one below.
    """
    def fit_layer(layer, data):
        n_hidden = sizes[layer]
        visible = "gaussian" if gaussian_visible and layer == 0 else "bernoulli"
        hidden = "gaussian" if linear_code and layer == len(sizes) - 1 else "bernoulli"
        gaussian = visible == "gaussian" or hidden == "gaussian"
        cfg = CDConfig(visible=visible, hidden=hidden, k=1, persistent=False,
                       learning_rate=learning_rate * (GAUSSIAN_LR_FACTOR if gaussian else 1.0),
                       momentum=0.5, weight_decay=2e-4, batch_size=batch_size)
        state = init_cd_state(n_hidden, data.mean(axis=0, dtype=np.float64), visible, rng,
                              X.dtype)
        if verbose:
            print(f"{phase_label('SAE')}: RBM {data.shape[1]} -> {n_hidden} "
                  f"({visible} visible, {hidden} hidden)")
        train_rbm(data, state, cfg, rng, n_epochs, verbose=verbose,
                  monitor=reconstruction_monitor(data, visible, hidden))
        return state, hidden

    def pass_up(layer, fitted, data):
        state, hidden = fitted
        a = data @ state.W
        a += state.c
        return a if hidden == "gaussian" else sigmoid(a, out=a)

    layers = stack_greedily(X, len(sizes), fit_layer, pass_up)
    return [(s.W, s.c, np.ascontiguousarray(s.W.T), s.b) for s, _ in layers]
