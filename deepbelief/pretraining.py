"""Greedy layer-wise pretraining of a stack of RBMs (Hinton, Osindero & Teh 2006).

Each RBM is trained on the hidden probabilities of the one below, computed
once per layer for the whole data set (never per minibatch).
"""

import numpy as np


def greedy_layerwise(X, make_rbm, n_layers, *, verbose=0):
    """Fit ``n_layers`` RBMs bottom-up; ``make_rbm(layer)`` returns an unfitted one.

    Returns the list of fitted RBMs, input side first.
    """
    rbms, data = [], X
    for layer in range(n_layers):
        rbm = make_rbm(layer)
        if verbose:
            print(f"[DBN] pretraining layer {layer + 1}/{n_layers}: "
                  f"{data.shape[1]} -> {rbm.n_components}")
        rbm.fit(data)
        rbms.append(rbm)
        if layer < n_layers - 1:
            data = rbm.transform(data)  # once per layer
    return rbms


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
