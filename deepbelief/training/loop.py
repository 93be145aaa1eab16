"""The epoch skeleton every training loop runs through.

RBM (CD/PCD), DBM joint training, autoencoder pretraining and backprop
fine-tuning differ only in what one epoch does; everything around it is
here, written once: the learning rate of the epoch from its schedule, a
snapshot of the parameters, timing, the finite check that restores the
snapshot and raises :class:`~deepbelief.errors.TrainingDivergedError`, the
per-epoch ``history`` record, the ``verbose`` line, and a hook that can stop
training early.  What ``verbose`` shows is :mod:`deepbelief.training.progress`.
"""

import copy
import time
import warnings

import numpy as np

from ..errors import TrainingDivergedError
from .optimizers import scheduled_learning_rate
from .progress import phase, phase_label, progress_bar

#: Divergence by growth: a loss above ``GROWTH_FACTOR`` times its best so far
#: (and above the first epoch's) for ``GROWTH_EPOCHS`` epochs in a row ...
GROWTH_FACTOR = 10.0
GROWTH_EPOCHS = 3
#: ... or a weight past any plausible scale (the inputs and regression targets
#: are on unit scale; sigmoid units saturate near 20).
WEIGHT_LIMIT = 1e6


def all_finite(arrays):
    """Whether every value of every array is finite."""
    return all(np.isfinite(a).all() for a in arrays)


def max_abs(arrays):
    """The largest absolute value over ``arrays`` (non-finite values are the
    finite check's to catch, which :func:`run_epochs` makes first)."""
    return max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)


def format_record(label, record, end=None):
    """The ``verbose`` line of one epoch: ``[DBN] layer 2/3 epoch 4/10: figures, seconds``.

    The scalar figures of the record (loss or reconstruction error, scores,
    learning rate), then the epoch's seconds; ``end`` is the last epoch of the run.
    """
    figures = [f"{k} = {v:.6g}" for k, v in record.items()
               if k not in ("epoch", "seconds") and isinstance(v, (float, np.floating))]
    if "seconds" in record:
        figures.append(f"{record['seconds']:.3g} s")
    count = f"epoch {record['epoch']}" + (f"/{end}" if end else "")
    return f"{label + ' ' if label else ''}{count}: {', '.join(figures)}"


class Snapshot:
    """Everything a training run would need to go back to one epoch: copies of
    the arrays, a deep copy of the rest of the state (``state = (get, set)``:
    optimizer moments, persistent chains), the epoch count and the length of
    each history list."""

    def __init__(self, arrays, state, epoch, history):
        self.arrays = [a.copy() for a in arrays]
        self.state = None if state is None else copy.deepcopy(state[0]())
        self.epoch = epoch
        self.lengths = {k: len(v) for k, v in history.items()}

    def restore(self, arrays, state, history):
        for a, saved in zip(arrays, self.arrays):
            a[...] = saved
        if state is not None:
            state[1](self.state)
        for key in list(history):
            if key not in self.lengths:
                del history[key]
            else:
                del history[key][self.lengths[key]:]


def run_epochs(run_epoch, params, n_epochs, *, learning_rate, schedule="constant", horizon=None,
               start_epoch=0, history=None, name="", hint="Lower the learning rate.",
               state=None, weights=None, on_restore=None, monitor=None, end_epoch=None,
               verbose=0, interruptible=False):
    """Run ``n_epochs`` epochs of a training loop, counting on from ``start_epoch``.

    Parameters
    ----------
    run_epoch : callable ``(epoch, lr) -> dict``
        One pass over the data with step size ``lr``, updating ``params`` in
        place; returns the epoch's figures (``"loss"`` when it has one).
    params : list of ndarray
        The arrays the epoch updates (parameters, batch-norm statistics):
        snapshotted before it, checked after it.
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
    state : (get, set) or None
        The rest of the training state (optimizer moments, persistent chains):
        ``get()`` returns it, deep-copied with each snapshot; ``set(saved)``
        puts a snapshot's copy back.
    weights : list of ndarray or None
        The arrays held to :data:`WEIGHT_LIMIT` (default: the 2-D ``params``).
    on_restore : callable ``(epochs) -> None`` or None
        Called after the state of the end of epoch ``epochs`` is restored (a
        divergence or an interrupt), to set counters that live elsewhere.
    monitor : callable ``(epoch) -> dict`` or None
        More figures of the epoch, measured after the divergence checks.
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

    Raises
    ------
    TrainingDivergedError
        After restoring the last good state: when the loss or a parameter is
        not finite, a weight is past :data:`WEIGHT_LIMIT`, or the loss stayed
        above ``GROWTH_FACTOR`` times its best (and above the first epoch's)
        for ``GROWTH_EPOCHS`` epochs in a row.  The last good state is the one
        before the non-finite epoch, or before the first epoch of the growth.
    """
    history = {} if history is None else history
    horizon = start_epoch + n_epochs if horizon is None else horizon
    label = phase_label(name)
    with progress_bar(label, n_epochs, verbose) as bar:
        return _run(run_epoch, params, n_epochs, learning_rate, schedule, horizon, start_epoch,
                    history, name, hint, state, weights, on_restore, monitor, end_epoch,
                    verbose, interruptible, label, bar)


def _run(run_epoch, params, n_epochs, learning_rate, schedule, horizon, start_epoch, history,
         name, hint, state, weights, on_restore, monitor, end_epoch, verbose, interruptible,
         label, bar):
    """The body of :func:`run_epochs`, inside its progress bar."""
    weights = [p for p in params if p.ndim == 2] if weights is None else weights
    best = first = np.inf
    growing = 0  # epochs in a row of a loss far past its best
    good = None

    def restore():
        good.restore(params, state, history)
        if on_restore is not None:
            on_restore(good.epoch)

    for epoch in range(start_epoch, start_epoch + n_epochs):
        lr = scheduled_learning_rate(schedule, learning_rate, epoch, horizon)
        if not growing:  # while the loss grows, the state before the growth is kept
            good = Snapshot(params, state, epoch, history)
        if bar is not None:
            bar.start_epoch(epoch - start_epoch)
        t0 = time.perf_counter()
        try:
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                figures = run_epoch(epoch, lr)
        except KeyboardInterrupt:
            if not interruptible:
                raise
            if bar is not None:
                bar.clear()
            restore()
            warnings.warn(f"Training interrupted by user in epoch {epoch + 1}; the state of "
                          f"the last good epoch ({good.epoch}) is kept.", UserWarning,
                          stacklevel=3)
            return True
        seconds = time.perf_counter() - t0
        loss = float(figures.get("loss", 0.0))
        scale = max_abs(weights)
        if "loss" in figures and np.isfinite(loss):
            first = loss if epoch == start_epoch else first
            far = loss > GROWTH_FACTOR * best and loss > first
            growing = growing + 1 if far else 0
            best = min(best, loss)
        what = None
        if not np.isfinite(loss):
            what = f"loss {loss}"
        elif not all_finite(params):
            what = "non-finite weights"
        elif not scale <= WEIGHT_LIMIT:
            what = f"a weight of magnitude {scale:.3g}, past {WEIGHT_LIMIT:g}"
        elif growing >= GROWTH_EPOCHS:
            what = (f"loss {loss:.6g}, over {GROWTH_FACTOR:g} times its best {best:.6g} for "
                    f"{growing} epochs")
        if what is not None:
            if bar is not None:
                bar.clear()
            restore()
            raise TrainingDivergedError(
                f"{name + ' t' if name else 'T'}raining diverged in epoch {epoch + 1} ({what}, "
                f"learning rate {lr:g}); the training state after epoch {good.epoch} was "
                f"restored. {hint}")
        record = {"epoch": epoch + 1, "seconds": seconds, "learning_rate": lr, **figures}
        if monitor is not None:
            record.update(monitor(epoch))
        for key, value in record.items():
            history.setdefault(key, []).append(value)
        if verbose:
            if bar is not None:
                bar.clear()
            print(format_record(label, record, start_epoch + n_epochs if n_epochs > 1 else None))
        if end_epoch is not None and end_epoch(record):
            return True
    return False


def run_learner(epoch, state, cfg, n_epochs, *, name, fields=("opt_state",), arrays=None,
                horizon=None, monitor=None, verbose=0, hint="", interruptible=False):
    """:func:`run_epochs` for a learner whose ``state`` keeps its parameters
    (``state.params()``, or ``arrays``), epoch count, history and, in the attributes named by
    ``fields``, the rest of its training state (optimizer moments, chains),
    and whose ``cfg`` holds the step size and schedule (contrastive
    divergence, the DBM, the autoencoder).

    ``horizon`` (default ``n_epochs``) is the epoch count the schedule decays
    over; ``monitor(state)`` adds measurements to each epoch's record.
    """

    def count(record):
        state.epoch += 1

    def restored(epochs):
        state.epoch = epochs

    def put(saved):
        for field, value in zip(fields, saved):
            setattr(state, field, value)

    arrays = list(state.params()) if arrays is None else arrays
    return run_epochs(epoch, arrays, n_epochs, learning_rate=cfg.learning_rate,
                      schedule=cfg.learning_rate_schedule,
                      horizon=n_epochs if horizon is None else horizon, start_epoch=state.epoch,
                      history=state.history, name=name,
                      state=(lambda: [getattr(state, f) for f in fields], put),
                      on_restore=restored,
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
        with phase(f"layer {layer + 1}/{n_layers}"):  # what verbose calls it
            fitted.append(fit_layer(layer, data))
        if layer < n_layers - 1:
            data = pass_up(layer, fitted[-1], data)
    return fitted
