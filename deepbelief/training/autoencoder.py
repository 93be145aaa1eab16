"""Training one (denoising) autoencoder layer, and their greedy stacking.

The layer's math is :mod:`deepbelief.math.autoencoder`; training runs through
the one epoch loop (:func:`deepbelief.training.loop.run_epochs`).  Stacking
trains each layer on the clean codes of the layer below, computed once per
layer (Bengio et al. 2007).
"""

from dataclasses import dataclass, field

from ..math.autoencoder import (
    autoencoder_gradients,
    corrupt,
    encode,
    init_autoencoder,
    leaves,
)
from .loop import run_learner, stack_greedily
from .optimizers import make_optimizer
from .progress import minibatches, phase_label


@dataclass
class AEConfig:
    """Hyper-parameters of one autoencoder layer (see the estimators)."""

    activation: str = "sigmoid"
    output: str = "sigmoid"  # or "identity"
    tied: bool = True
    corruption: str = "none"
    corruption_level: float = 0.0
    solver: str = "momentum"
    learning_rate: float = 0.1
    learning_rate_schedule: str = "constant"
    momentum: float = 0.9
    alpha: float = 0.0  # L2 on the weights, mean-loss scale
    batch_size: int = 100
    init: str = "glorot_uniform"


@dataclass
class AEState:
    params: dict  # W, b, b_out, and W_out when untied
    opt_state: object = None
    epoch: int = 0
    history: dict = field(default_factory=dict)


def train_autoencoder(X, state, cfg, rng, n_epochs, *, horizon=None, verbose=0, name="AE"):
    """``n_epochs`` of minibatch training of one layer; records ``state.history``."""
    optimizer = make_optimizer(cfg.solver, momentum=cfg.momentum)
    arrays = leaves(state.params)
    if state.opt_state is None:
        state.opt_state = optimizer.init(arrays)
    n = X.shape[0]
    B = min(cfg.batch_size, n)

    def epoch(_, lr):
        order = rng.permutation(n)
        total = 0.0
        for start in minibatches(n, B):
            xb = X[order[start : start + B]]
            x_in = corrupt(xb, cfg.corruption, cfg.corruption_level, rng)
            grads, loss = autoencoder_gradients(state.params, x_in, xb, cfg,
                                                scale=optimizer.grad_scale(lr))
            total += loss * xb.shape[0]
            for p, s in zip(arrays, optimizer.update(grads, state.opt_state, lr)):
                p += s
        return {"loss": total / n}

    run_learner(epoch, state, cfg, n_epochs, name="Autoencoder" if name == "AE" else name,
                arrays=arrays, horizon=horizon, verbose=verbose, hint="Lower the learning rate.")
    return state


def greedy_autoencoders(X, sizes, make_config, rng, n_epochs, *, verbose=0):
    """Train one autoencoder per entry of ``sizes``, each on the clean codes below.

    ``make_config(layer)`` returns the layer's :class:`AEConfig` (the output
    unit type of a layer depends on what its input is).  Returns the list of
    :class:`AEState`, input side first.
    """
    def fit_layer(layer, data):
        cfg = make_config(layer)
        state = AEState(init_autoencoder(data.shape[1], sizes[layer], cfg, rng, X.dtype))
        if verbose:
            print(f"{phase_label('SAE')}: {data.shape[1]} -> "
                  f"{sizes[layer]} ({cfg.corruption} corruption {cfg.corruption_level:g})")
        train_autoencoder(data, state, cfg, rng, n_epochs, verbose=verbose, name="SAE")
        return state, cfg

    def pass_up(layer, fitted, data):
        state, cfg = fitted
        return encode(state.params, data, cfg.activation)

    return [state for state, _ in stack_greedily(X, len(sizes), fit_layer, pass_up)]
