"""Training budgets that scale with the data: the rule behind every ``"auto"``.

Every pretraining estimator (:class:`~deepbelief.RBM`, :class:`~deepbelief.DBN`,
the DBN nets, :class:`~deepbelief.DBM`, :class:`~deepbelief.DBMClassifier`, the
stacked autoencoders) leaves its minibatch sizes and epoch counts at
``"auto"`` by default and resolves them in ``fit`` from the number of
training rows ``n`` with one rule:

* **minibatch size** ``= clip(n // 100, 10, 100)`` (at most ``n``): about 1 % of
  the data, never fewer than 10 rows (small data gets many small steps, as
  scikit-learn's ``BernoulliRBM`` takes with its batches of 10) and never more
  than 100 (the classic MNIST recipes' size);
* **epochs** ``= clip(ceil(updates * batch / n), low, high)``: enough epochs for
  a target number of parameter updates, bounded both ways:

  ============================  =========  ==========
  phase                         updates    epochs
  ============================  =========  ==========
  greedy pretraining, a layer   2,000      10 - 30
  joint DBM training            2,000      10 - 30
  backprop fine-tuning          10,000     20 - 500
  ============================  =========  ==========

* **step size** of fine-tuning (``learning_rate_init``): ``0.1 * batch / 100`` for
  the SGD-family solvers (``"sgd"``, ``"momentum"``, ``"nesterov"``): the
  classic recipe's 0.1 for batches of 100, scaled with the batch (the linear
  scaling rule of Goyal et al. 2017), so that small batches of small data are
  not ten times noisier than the recipe's; ``1e-3`` for ``"adam"`` and
  ``"rmsprop"`` (scikit-learn's default), ``1e-2`` for ``"adagrad"``;
* **patience** of fine-tuning (``n_iter_no_change``) ``= max(10, ceil(500 / updates per
  epoch))`` epochs: the loss plateau that stops fine-tuning is judged over at
  least 500 updates, not over 10 epochs of a dozen noisy updates each.

So 150 rows train in batches of 10 (step 0.01 with momentum) for 30
pretraining epochs (450 updates) and up to 500 fine-tuning epochs (patience
34), the 1,797 digits in batches of 17 for 19 and up to 95 epochs (patience
10), and MNIST's 60,000 images in batches of 100 (step 0.1) for 10 and up to
20 epochs (6,000 and 12,000 updates) without wasted passes.  Fine-tuning stops earlier on a plateau of its loss (``tol``,
``n_iter_no_change``).

An explicit integer is always used as given, so the published recipes keep
their figures.  The resolved values are stored in the fitted estimator's
``resolved_params_`` and printed when ``verbose`` is set.
"""

import math

from .progress import phase_label

AUTO = "auto"

#: (target updates, lowest epoch count, highest epoch count) per training phase
PHASES = {
    "pretrain": (2000, 10, 30),
    "joint": (2000, 10, 30),
    "finetune": (10000, 20, 500),
}
#: fine-tuning stops when its loss has not improved for this many updates (and
#: at least ``MIN_PATIENCE`` epochs): 10 epochs of a big data set, more of a small one
PATIENCE_UPDATES, MIN_PATIENCE = 500, 10
BATCH_FRACTION, MIN_BATCH, MAX_BATCH = 100, 10, 100


def auto_batch_size(n_samples):
    """Minibatch size for ``n_samples`` training rows: ``clip(n // 100, 10, 100)``, at most ``n``.

    Examples
    --------
    >>> [auto_batch_size(n) for n in (5, 150, 1797, 60000)]
    [5, 10, 17, 100]
    """
    n = int(n_samples)
    return max(1, min(n, MAX_BATCH, max(MIN_BATCH, n // BATCH_FRACTION)))


def auto_epochs(n_samples, batch_size, phase):
    """Epochs that give ``phase`` its target number of updates, within its bounds.

    Examples
    --------
    >>> auto_epochs(150, 10, "pretrain"), auto_epochs(150, 10, "finetune")
    (30, 500)
    >>> auto_epochs(60000, 100, "pretrain"), auto_epochs(60000, 100, "finetune")
    (10, 20)
    """
    updates, low, high = PHASES[phase]
    per_epoch = math.ceil(int(n_samples) / int(batch_size))
    return int(min(high, max(low, math.ceil(updates / max(per_epoch, 1)))))


#: the step size per row of the batch of the SGD-family solvers, and the
#: adaptive solvers' steps (these do not scale with the batch)
SGD_STEP_PER_ROW = 1e-3
ADAPTIVE_STEPS = {"adam": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2}


def auto_learning_rate(solver, batch_size):
    """Fine-tuning's ``learning_rate_init`` for ``solver`` and the resolved batch size.

    Examples
    --------
    >>> auto_learning_rate("momentum", 100), auto_learning_rate("sgd", 10)
    (0.1, 0.01)
    >>> auto_learning_rate("adam", 10)
    0.001
    """
    if solver in ADAPTIVE_STEPS:
        return ADAPTIVE_STEPS[solver]
    return round(SGD_STEP_PER_ROW * int(batch_size), 6)


def auto_patience(n_samples, batch_size):
    """Fine-tuning's ``n_iter_no_change``: ``max(10, ceil(500 / updates per epoch))``.

    Examples
    --------
    >>> auto_patience(150, 10), auto_patience(60000, 100)
    (34, 10)
    """
    per_epoch = math.ceil(int(n_samples) / int(batch_size))
    return int(max(MIN_PATIENCE, math.ceil(PATIENCE_UPDATES / max(per_epoch, 1))))


def resolve(n_samples, batch_size, n_epochs, phase):
    """``(batch_size, n_epochs)`` with each ``"auto"`` replaced by the rule's value.

    An integer batch size is capped at ``n_samples``; integers are otherwise
    returned as given.

    Examples
    --------
    >>> resolve(1797, "auto", "auto", "finetune")
    (17, 95)
    >>> resolve(1797, 100, 50, "finetune")
    (100, 50)
    """
    n = int(n_samples)
    batch = auto_batch_size(n) if batch_size == AUTO else max(1, min(int(batch_size), n))
    epochs = auto_epochs(n, batch, phase) if n_epochs == AUTO else int(n_epochs)
    return batch, epochs


def report(name, resolved):
    """The line ``verbose`` prints: ``[DBNClassifier] resolved batch_size=17, ...``
    (prefixed by the current phase, :func:`~deepbelief.training.progress.phase_label`)."""
    items = ", ".join(f"{k}={v}" for k, v in resolved.items())
    return f"{phase_label(name)} resolved {items}"
