"""The epoch skeleton every training loop runs through.

RBM (CD/PCD), DBM joint training, autoencoder pretraining and backprop
fine-tuning differ only in what one epoch does; everything around it is
here, written once: the learning rate of the epoch from its schedule, a
snapshot of the parameters, timing, the finite check that restores the
snapshot and raises :class:`~deepbelief.errors.TrainingDivergedError`, the
per-epoch ``history`` record, the ``verbose`` line, and a hook that can stop
training early.
"""

import time
import warnings

import numpy as np

from ..errors import TrainingDivergedError
from .optimizers import scheduled_learning_rate


def all_finite(arrays):
    """Whether every value of every array is finite."""
    return all(np.isfinite(a).all() for a in arrays)


def format_record(name, record):
    """The ``verbose`` line of one epoch: its scalar figures, ``epoch`` first."""
    figures = ", ".join(f"{k} = {v:.6g}" for k, v in record.items()
                        if k != "epoch" and isinstance(v, (float, np.floating)))
    prefix = f"[{name}] " if name else ""
    return f"{prefix}Iteration {record['epoch']}, {figures}"


def run_epochs(run_epoch, params, n_epochs, *, learning_rate, schedule="constant", horizon=None,
               start_epoch=0, history=None, name="", hint="Lower the learning rate.",
               on_diverge=None, monitor=None, end_epoch=None, verbose=0, interruptible=False):
    """Run ``n_epochs`` epochs of a training loop, counting on from ``start_epoch``.

    Parameters
    ----------
    run_epoch : callable ``(epoch, lr) -> dict``
        One pass over the data with step size ``lr``, updating ``params`` in
        place; returns the epoch's figures (``"loss"`` when it has one; a
        non-finite loss counts as divergence).
    params : list of ndarray
        The arrays the epoch updates: snapshotted before it, checked after it.
    n_epochs : int
        Epochs to run now.
    learning_rate, schedule, horizon :
        The step size of epoch ``e`` is ``scheduled_learning_rate(schedule,
        learning_rate, e, horizon)``; ``horizon`` defaults to ``start_epoch +
        n_epochs``.
    start_epoch : int
        Epochs already run (the schedule and the records count on from it).
    history : dict of lists or None
        Appended to: one entry per key per epoch.
    name, hint : str
        The model's name in messages, and the advice of the divergence error.
    on_diverge : callable or None
        Called after the snapshot is restored (to reset optimizer state or
        chains) and before the error is raised.
    monitor : callable ``(epoch) -> dict`` or None
        More figures of the epoch, measured after the finite check.
    end_epoch : callable ``(record) -> bool`` or None
        Called with the epoch's record once it is stored and printed;
        returning True stops training.
    verbose : int
    interruptible : bool
        Ctrl-C (``KeyboardInterrupt``) during an epoch restores the snapshot
        (the last finished epoch), warns and stops training, as
        ``MLPClassifier`` does; otherwise it propagates (greedy pretraining,
        which leaves the estimator as it was).

    Returns
    -------
    stopped : bool
        Whether ``end_epoch`` or an interrupt stopped training before ``n_epochs``.
    """
    history = {} if history is None else history
    horizon = start_epoch + n_epochs if horizon is None else horizon
    for epoch in range(start_epoch, start_epoch + n_epochs):
        lr = scheduled_learning_rate(schedule, learning_rate, epoch, horizon)
        saved = [p.copy() for p in params]
        t0 = time.perf_counter()
        try:
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                figures = run_epoch(epoch, lr)
        except KeyboardInterrupt:
            if not interruptible:
                raise
            for p, s in zip(params, saved):
                p[...] = s
            warnings.warn(f"Training interrupted by user in epoch {epoch + 1}; the parameters "
                          f"of the last finished epoch ({epoch}) are kept.", UserWarning,
                          stacklevel=2)
            return True
        seconds = time.perf_counter() - t0
        loss = figures.get("loss", 0.0)
        if not (np.isfinite(loss) and all_finite(params)):
            for p, s in zip(params, saved):
                p[...] = s
            if on_diverge is not None:
                on_diverge()
            what = f"loss {loss}" if not np.isfinite(loss) else "non-finite weights"
            raise TrainingDivergedError(
                f"{name + ' t' if name else 'T'}raining diverged in epoch {epoch + 1} ({what} "
                f"with learning rate {lr:g}); the parameters of the previous epoch were "
                f"restored. {hint}")
        record = {"epoch": epoch + 1, "seconds": seconds, "learning_rate": lr, **figures}
        if monitor is not None:
            record.update(monitor(epoch))
        for key, value in record.items():
            history.setdefault(key, []).append(value)
        if verbose:
            print(format_record(name, record))
        if end_epoch is not None and end_epoch(record):
            return True
    return False


def run_learner(epoch, state, cfg, n_epochs, *, name, horizon=None, monitor=None,
                on_diverge=None, verbose=0, hint="", interruptible=False):
    """:func:`run_epochs` for a learner whose ``state`` keeps its parameters
    (``state.params()``), epoch count and history, and whose ``cfg`` holds the
    step size and schedule (contrastive divergence, the DBM).

    ``horizon`` (default ``n_epochs``) is the epoch count the schedule decays
    over; ``monitor(state)`` adds measurements to each epoch's record.
    """

    def count(record):
        state.epoch += 1

    return run_epochs(epoch, state.params(), n_epochs, learning_rate=cfg.learning_rate,
                      schedule=cfg.learning_rate_schedule,
                      horizon=n_epochs if horizon is None else horizon, start_epoch=state.epoch,
                      history=state.history, name=name, on_diverge=on_diverge,
                      monitor=None if monitor is None else (lambda _: monitor(state)),
                      end_epoch=count, verbose=verbose, hint=hint,
                      interruptible=interruptible)


def stack_greedily(X, n_layers, fit_layer, pass_up):
    """Greedy layer-wise training, the one stacking loop of every deep model.

    ``fit_layer(layer, data)`` returns layer ``layer`` fitted on ``data``, the
    data as the layers below pass it up; ``pass_up(layer, fitted, data)``
    computes that for the next layer, once per layer for the whole data set
    (never per minibatch).  Returns the fitted layers, input side first.
    """
    fitted, data = [], X
    for layer in range(n_layers):
        fitted.append(fit_layer(layer, data))
        if layer < n_layers - 1:
            data = pass_up(layer, fitted[-1], data)
    return fitted
