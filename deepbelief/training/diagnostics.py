"""Diagnostics of deep nets: per-layer gradient norms, update/weight ratios, saturation.

The training loop measures :func:`layer_diagnostics` once per epoch on a fixed
batch (``history_["grad_norms"]``, ``history_["saturation"]``).  For finer
detail, :class:`GradientRecorder` is an ``on_grad_computed`` hook of
:func:`deepbelief.training.backprop.train_network` that sees every minibatch; it costs
nothing when it is not passed.
"""

from dataclasses import replace

import numpy as np

from ..math.activations import saturation
from ..math.feedforward import backward, forward


def layer_diagnostics(params, X, Y, spec):
    """Per-layer gradient norms (weights, input side first) and saturation.

    One full-batch forward/backward on ``(X, Y)`` (one-hot ``Y`` for
    classifiers) without dropout; batch norm uses the batch's statistics.
    Returns ``(grad_norms, saturation)``: ``||dL/dW_l||_F`` for every weight
    layer and the fraction of saturated units of every hidden layer.
    """
    plain = replace(spec, dropout_input=0.0, dropout_hidden=0.0)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        P, cache = forward(params, X, plain, train=True)
        sat = [saturation(a, spec.act(i)) for i, a in enumerate(cache["outputs"])]
        grads = backward(params, cache, P, Y, plain, alpha=0.0)
    return [float(np.linalg.norm(g)) for g in grads["W"]], sat


def estimator_diagnostics(estimator, X, y):
    """:func:`layer_diagnostics` of a fitted deepbelief net on ``(X, y)``.

    Works at any stage, e.g. on a net fitted with ``max_iter=0`` (its
    initialisation, pretrained or random).  The same as
    ``estimator.layer_diagnostics(X, y)``.
    """
    return estimator.layer_diagnostics(X, y)


def update_ratios(params_before, params_after):
    """``||W_after - W_before|| / ||W_before||`` per weight layer."""
    return [float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))
            for b, a in zip(params_before["W"], params_after["W"])]


class GradientRecorder:
    """``on_grad_computed`` hook: the weight-gradient norm of every layer, every batch.

    Gradients arrive scaled by the optimizer's ``grad_scale`` (``-lr`` for the
    SGD family); pass ``scale`` to undo it.  ``norms`` is a list of
    ``(epoch, batch, [norm per layer])``.
    """

    def __init__(self, scale=1.0, every=1):
        self.scale, self.every, self.norms = abs(scale), every, []

    def __call__(self, epoch, batch, grads):
        if batch % self.every == 0:
            self.norms.append((epoch, batch, [float(np.linalg.norm(g)) / self.scale
                                              for g in grads["W"]]))

    def per_epoch(self):
        """Mean norm per layer for each epoch, as an array (n_epochs, n_layers)."""
        epochs = sorted({e for e, _, _ in self.norms})
        return np.array([np.mean([n for e2, _, n in self.norms if e2 == e], axis=0)
                         for e in epochs])
