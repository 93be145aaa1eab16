"""The minibatch backprop loop shared by every supervised estimator.

Shuffled minibatches, one optimizer step per batch (or, with ``solver="cg"``,
a few line-search conjugate-gradient iterations per batch), a learning-rate
schedule per epoch, an optional max-norm projection after every step, early
stopping on a validation split (or a plateau of the training loss), a
finite-weights check, and a per-epoch ``history``.  The diagnostics
(per-layer gradient norms, saturation) are measured once per epoch on a fixed
monitor batch, so they cost about one minibatch per epoch; a per-batch hook
``on_grad_computed(epoch, batch, grads)`` sees every gradient when given (the
SGD-family solvers; the line searches of ``"cg"`` evaluate many per batch).
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..math.activations import LOSSES
from ..math.feedforward import backward, flat, forward, penalty
from .conjugate_gradient import (
    LINE_SEARCH_SOLVERS,
    check_deterministic,
    conjugate_gradient_batch,
)
from .diagnostics import layer_diagnostics
from .loop import run_epochs
from .optimizers import make_optimizer, project_max_norm
from .progress import minibatches


@dataclass
class FitConfig:
    """Hyper-parameters of fine-tuning (see the estimators for their meaning)."""

    loss: str = "log_loss"
    solver: str = "momentum"
    learning_rate_init: float = 0.1
    learning_rate_schedule: str = "constant"
    momentum: float = 0.9
    alpha: float = 1e-4
    l1: float = 0.0
    max_norm: float | None = None
    batch_size: int = 100
    max_iter: int = 50
    tol: float = 1e-4
    n_iter_no_change: int = 10
    n_iter_output_only: int = 0
    bn_momentum: float = 0.1
    verbose: int = 0


def fit_optimizer(cfg):
    """The optimizer of ``cfg`` (plain SGD for ``"cg"``, whose line search takes the steps)."""
    if cfg.solver in LINE_SEARCH_SOLVERS:
        return make_optimizer("sgd")
    return make_optimizer(cfg.solver, momentum=cfg.momentum)


class EarlyStopper:
    """Tracks the best score; says when ``patience`` epochs brought no gain > tol."""

    def __init__(self, patience, tol, higher_is_better):
        self.patience, self.tol, self.sign = patience, tol, 1.0 if higher_is_better else -1.0
        self.best, self.bad_epochs, self.best_params = -np.inf, 0, None

    def update(self, value, params=None):
        v = self.sign * value
        if v > self.best + self.tol:
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        if v > self.best:
            self.best = v
            if params is not None:
                self.best_params = [p.copy() for p in params]
        return self.bad_epochs >= self.patience


def _constrain(weights, max_norm):
    """The max-norm projection of the trained weight matrices (none without a bound)."""
    if max_norm is not None:
        for W in weights:
            project_max_norm(W, max_norm)


def train_network(
    params, X, Y, spec, cfg, rng, *, opt_state=None, bn_stats=None, history=None,
    validation=None, score=None, monitor=None, start_epoch=0, n_epochs=None,
    on_grad_computed=None,
):
    """Fine-tune ``params`` in place on ``(X, Y)``; returns ``(opt_state, history)``.

    Parameters
    ----------
    validation : (X_val, y_val) or None
        Held-out data for early stopping; ``score(params, X_val, y_val)``
        (higher is better) is recorded as ``val_score`` and the best parameters
        are restored at the end.
    monitor : (X_mon, Y_mon) or None
        Fixed batch for the per-epoch diagnostics; recorded before the first
        epoch too (``grad_norms_init``, ``saturation_init``).
    n_epochs : int or None
        Epochs to run now (default ``cfg.max_iter``); the schedule counts from
        ``start_epoch`` over ``cfg.max_iter`` epochs.
    """
    line_search = cfg.solver in LINE_SEARCH_SOLVERS
    if line_search:
        check_deterministic(spec)
    optimizer = fit_optimizer(cfg)
    # L2 as a gradient term, or (SGD family) as a decoupled shrink of the weights,
    # which is the same for plain SGD and avoids a pass over every weight
    decay = cfg.alpha if optimizer.decoupled_decay and not line_search else 0.0
    coupled_alpha = 0.0 if decay else cfg.alpha
    leaves = flat(params)
    if opt_state is None:
        opt_state = optimizer.init(leaves)
    history = {} if history is None else history
    n = X.shape[0]
    n_epochs = cfg.max_iter if n_epochs is None else n_epochs
    loss_fn = LOSSES[cfg.loss]
    if monitor is not None and "grad_norms_init" not in history:
        norms, sat = layer_diagnostics(params, *monitor, spec)
        history["grad_norms_init"], history["saturation_init"] = norms, sat
    stopper = EarlyStopper(cfg.n_iter_no_change, cfg.tol, higher_is_better=validation is not None)

    def epoch_pass(epoch, lr):
        # the first n_iter_output_only epochs train the output layer alone
        # (Hinton & Salakhutdinov's fine-tuning); the layers below are frozen
        output_only = epoch < cfg.n_iter_output_only
        trained_weights = params["W"][-1:] if output_only else params["W"]
        trained = [not output_only or p is params["W"][-1] or p is params["b"][-1]
                   for p in leaves]
        order = rng.permutation(n)
        total = 0.0
        for batch, start in enumerate(minibatches(n, cfg.batch_size)):
            idx = order[start : start + cfg.batch_size]
            xb, yb = X[idx], Y[idx]
            if line_search:  # the line search sets the step; lr is not used
                total += conjugate_gradient_batch(
                    params, xb, yb, spec, loss_fn, alpha=cfg.alpha, l1=cfg.l1,
                    output_only=output_only) * idx.size
                _constrain(trained_weights, cfg.max_norm)
                continue
            P, cache = forward(params, xb, spec, train=True, rng=rng, bn_stats=bn_stats,
                               bn_momentum=cfg.bn_momentum)
            total += loss_fn(yb, P) * idx.size
            grads = backward(params, cache, P, yb, spec, alpha=coupled_alpha, l1=cfg.l1,
                             scale=optimizer.grad_scale(lr), output_only=output_only)
            if on_grad_computed is not None:
                on_grad_computed(epoch, batch, grads)
            # frozen leaves pass None: no step, and their optimizer state stays put
            steps = optimizer.update([g if t else None for g, t in zip(flat(grads), trained)],
                                     opt_state, lr)
            if decay:
                # decoupled L2 for the SGD family: w *= 1 - lr * alpha / n, one pass
                for W in trained_weights:
                    W *= 1.0 - lr * decay / idx.size
            for p, s in zip(leaves, steps):
                if s is not None:
                    p += s
            _constrain(trained_weights, cfg.max_norm)
        loss = total / n + penalty(params, min(cfg.batch_size, n), cfg.alpha, cfg.l1)
        return {"loss": loss, **({"learning_rate": np.nan} if line_search else {})}

    def measure(epoch):
        record = {}
        if validation is not None:
            record["val_score"] = score(params, *validation)
        if monitor is not None:
            record["grad_norms"], record["saturation"] = layer_diagnostics(
                params, *monitor, spec)
        return record

    def plateau(record):
        watched = record["val_score"] if validation is not None else record["loss"]
        if stopper.update(watched, leaves if validation is not None else None):
            if cfg.verbose:
                print(f"No improvement for {cfg.n_iter_no_change} epochs; stopping.")
            return True
        return False

    # the batch-norm running statistics and the optimizer's moments are state too:
    # snapshotted, checked, restored
    bn_leaves = [] if bn_stats is None else [*bn_stats["mean"], *bn_stats["var"]]
    converged = run_epochs(
        epoch_pass, leaves + bn_leaves, n_epochs, learning_rate=cfg.learning_rate_init,
        schedule=cfg.learning_rate_schedule, horizon=cfg.max_iter, start_epoch=start_epoch,
        history=history, state=(lambda: opt_state, lambda saved: opt_state.update(saved)),
        weights=params["W"], monitor=measure, end_epoch=plateau, verbose=cfg.verbose,
        hint="Lower learning_rate_init.", interruptible=True)
    if validation is not None and stopper.best_params is not None:
        for p, best in zip(leaves, stopper.best_params):
            p[...] = best
    if not converged and n_epochs == cfg.max_iter and n_epochs > 0 and validation is None:
        what = "Conjugate gradient" if line_search else "Stochastic optimizer"
        warnings.warn(
            f"{what}: maximum iterations ({cfg.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return opt_state, history
