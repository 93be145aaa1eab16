"""Run the study: every method x depth x optimizer x seed on one data set.

The study is a list of jobs (:class:`Job`: greedy pretraining of a shared
RBM stack, the fits that choose a step size, the fits that are measured),
built before anything runs, so that progress and the time left are known from
the start; :func:`run_jobs` runs them in order.

Every method's fine-tuning step size is chosen by the rule of
:mod:`deepbelief.experiments.selection` from ``LEARNING_RATE_GRID`` on a
stratified validation split of the training rows, per method, depth and
optimizer (and label budget), once for all seeds, every seed the study
measures scoring each step (with few labels, each seed on its own labelled
rows).  Every method gets the same fine-tuning epochs.  The measured fits then
train on all the training rows at the chosen step and are scored on the test
rows.
"""

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.model_selection import train_test_split

from ..estimators.dbn import DBN
from .configs import (
    LEARNING_RATE_GRID,
    MAX_EXTRA_STEPS,
    METHODS,
    VALIDATION_FRACTION,
    StudyConfig,
)
from .selection import (
    choose_learning_rate,
    fit_and_score,
    next_step,
    selection_seeds,
    validation_scores,
    validation_split,
)


def load_dataset(name="digits", mnist_path=None, n_train=None, seed=0):
    """``(X_train, X_test, y_train, y_test)`` in [0, 1], float32.

    digits: a stratified 75/25 split of scikit-learn's bundled digits; mnist: the
    standard split (``n_train`` takes a stratified subset of the training set).
    """
    from ..datasets import load_digits_unit, load_mnist

    if name == "digits":
        X, y = load_digits_unit()
        return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    if name == "mnist":
        X_tr, y_tr, X_te, y_te = load_mnist(mnist_path)
        if n_train is not None and n_train < len(y_tr):
            X_tr, _, y_tr, _ = train_test_split(X_tr, y_tr, train_size=n_train,
                                                random_state=seed, stratify=y_tr)
        return X_tr, X_te, y_tr, y_te
    raise ValueError(f"Unknown dataset {name!r}; expected 'digits' or 'mnist'.")


def pretrain_stack(X, depth, cfg, seed):
    """One greedy RBM stack of ``depth`` layers; nets of any smaller depth share it."""
    return DBN((cfg.width,) * depth, n_iter=cfg.pretrain_epochs,
               batch_size=cfg.pretrain_batch_size, learning_rate=cfg.pretrain_learning_rate,
               method=cfg.pretrain_method, momentum=0.5, weight_decay=2e-4,
               random_state=seed).fit(X)


@dataclass
class Job:
    """One unit of the study: ``run()`` returns a result dict (or None)."""

    stage: str  # "pretraining", "selection", "study", "label budget selection", "label budget"
    weight: float  # relative cost: hidden layers x training rows x epochs of its fits
    run: Callable = None
    method: str = ""
    optional: bool = False  # a step past the grid's edge: runs only if the choice asks for it
    skipped: bool = False  # an optional job that was not needed (set when it runs)


def _selection_jobs(stage, weight, method, steps, seeds, scores, fit):
    """The jobs that choose one step: ``fit(lr, seed)`` (a validation score)
    for each of ``steps`` and ``seeds``, into ``scores`` (``{lr: {seed:
    score}}``, filled in place), then ``MAX_EXTRA_STEPS`` optional jobs that
    try :func:`next_step` past the grid's edge, or mark themselves skipped."""
    def score(lr, seed):
        def run():
            scores.setdefault(lr, {})[seed] = fit(lr, seed)
        return run

    def extend(job):
        def run():
            lr = next_step(scores)
            if lr is None or lr in scores:
                job.skipped = True
                return
            scores[lr] = {seed: fit(lr, seed) for seed in seeds}
        return run

    jobs = [Job(stage, weight, score(lr, seed), method) for lr in steps for seed in seeds]
    for _ in range(MAX_EXTRA_STEPS):
        job = Job(stage, weight * len(seeds), method=method, optional=True)
        job.run = extend(job)
        jobs.append(job)
    return jobs


def _record(est, method, optimizer, depth, seed, lr, scores, data, cfg):
    """Fit ``est`` on the training rows, measure it on the test rows."""
    X_tr, X_te, y_tr, y_te = data
    t0 = time.perf_counter()
    error = 1.0 - fit_and_score(est, X_tr, y_tr, X_te, y_te)
    h = est.history_
    norms = h.get("grad_norms", [])
    k = min(cfg.monitor_epochs, len(norms)) - 1
    return {
        "method": method, "optimizer": optimizer, "depth": depth, "seed": seed,
        "learning_rate": lr, "validation_scores": {str(k_): v for k_, v in scores.items()},
        "test_error": error, "diverged": bool(np.isnan(error)),
        "seconds": time.perf_counter() - t0,
        "grad_norms_init": h["grad_norms_init"],
        "grad_norms_early": norms[k] if k >= 0 else h["grad_norms_init"],
        "grad_norms": norms,
        "saturation": h.get("saturation", []),
        "loss": h.get("loss", []),
    }


def study_jobs(data, *, depths=(1, 2, 4, 6, 8), methods=tuple(METHODS),
               optimizers=("momentum", "adam"), seeds=(0,), config=None, grid=None,
               state=None):
    """The jobs of :func:`run_study`, in order (``state`` collects the stacks and choices)."""
    cfg = config or StudyConfig()
    grid = LEARNING_RATE_GRID if grid is None else grid
    state = {} if state is None else state
    stacks = state.setdefault("stacks", {})
    chosen = state.setdefault("chosen", {})
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"Unknown methods {sorted(unknown)}; choose from {sorted(METHODS)}.")
    X_tr, _, y_tr, _ = data
    split = validation_split(X_tr, y_tr)
    n = len(y_tr)
    jobs = []

    def pretrain(seed):
        def run():
            t0 = time.perf_counter()
            stacks[seed] = (pretrain_stack(X_tr, max(depths), cfg, seed), time.perf_counter() - t0)
        return run

    def fit(method, depth, optimizer):
        def score(lr, seed):
            # every selection fit starts from the first seed's pretrained stack
            est = METHODS[method][1](depth, cfg, optimizer, seed,
                                     dbn=stacks.get(seeds[0], (None,))[0])
            est.set_params(learning_rate_init=lr)
            X_fit, X_val, y_fit, y_val = split
            return fit_and_score(est, X_fit, y_fit, X_val, y_val)
        return score

    def measure(method, depth, optimizer, seed):
        def run():
            scores = chosen[(method, depth, optimizer)]
            lr = choose_learning_rate(scores)
            est = METHODS[method][1](depth, cfg, optimizer, seed,
                                     dbn=stacks.get(seed, (None,))[0])
            est.set_params(learning_rate_init=lr)
            return _record(est, method, optimizer, depth, seed, lr, validation_scores(scores),
                           data, cfg)
        return run

    for seed in seeds:
        if "dbn" in methods:
            jobs.append(Job("pretraining", 0.0, pretrain(seed)))
        for depth in depths:
            for method in methods:
                for optimizer in optimizers:
                    if seed == seeds[0]:
                        jobs += _selection_jobs(
                            "selection", depth * (1 - VALIDATION_FRACTION) * n * cfg.epochs,
                            method, grid[optimizer], selection_seeds(seeds),
                            chosen.setdefault((method, depth, optimizer), {}),
                            fit(method, depth, optimizer))
                    jobs.append(Job("study", depth * n * cfg.epochs,
                                    measure(method, depth, optimizer, seed), method))
    return jobs


BUDGET_METHODS = ("dbn", "sigmoid_glorot", "relu_he")


def label_budget_jobs(data, state, *, budgets=(100, 1000, None), depth=4, seeds=(0,),
                      optimizer="momentum", config=None, grid=None):
    """The jobs of :func:`label_budget_study`: pretrained (on all unlabelled rows)
    vs random init with few labels, the step size chosen per budget."""
    cfg = config or StudyConfig()
    grid = LEARNING_RATE_GRID if grid is None else grid
    stacks = state.setdefault("stacks", {})
    chosen = state.setdefault("chosen", {})
    X_tr, X_te, y_tr, y_te = data
    jobs = []

    def labelled(budget, seed):
        n = len(y_tr) if budget is None or budget >= len(y_tr) else budget
        if n < len(y_tr):
            idx, _ = train_test_split(np.arange(len(y_tr)), train_size=n, random_state=seed,
                                      stratify=y_tr)
        else:
            idx = np.arange(len(y_tr))
        return n, idx

    def make(method, n, seed, lr):
        if seed not in stacks:
            t0 = time.perf_counter()
            stacks[seed] = (pretrain_stack(X_tr, depth, cfg, seed), time.perf_counter() - t0)
        est = METHODS[method][1](depth, cfg, optimizer, seed, dbn=stacks[seed][0])
        # few labels: keep the number of updates comparable to the full set
        return est.set_params(max_iter=_budget_epochs(cfg, n, len(y_tr)), learning_rate_init=lr)

    def fit(method, budget):
        def score(lr, seed):
            # each seed's own labelled rows (and stack), split for validation
            n, idx = labelled(budget, seed)
            X_fit, X_val, y_fit, y_val = validation_split(X_tr[idx], y_tr[idx])
            return fit_and_score(make(method, len(y_fit), seed, lr), X_fit, y_fit, X_val, y_val)
        return score

    def measure(method, budget, seed):
        def run():
            n, idx = labelled(budget, seed)
            scores = chosen[("budget", method, labelled(budget, seeds[0])[0])]
            lr = choose_learning_rate(scores)
            error = 1.0 - fit_and_score(make(method, n, seed, lr), X_tr[idx], y_tr[idx],
                                         X_te, y_te)
            return {"budget": n, "method": method, "seed": seed, "test_error": error,
                    "learning_rate": lr,
                    "validation_scores": {str(k): v
                                          for k, v in validation_scores(scores).items()}}
        return run

    for seed in seeds:
        for budget in budgets:
            n = labelled(budget, seed)[0]
            cost = depth * n * _budget_epochs(cfg, n, len(y_tr))
            for method in BUDGET_METHODS:
                if seed == seeds[0]:
                    jobs += _selection_jobs(
                        "label budget selection", cost * (1 - VALIDATION_FRACTION), method,
                        grid[optimizer], selection_seeds(seeds),
                        chosen.setdefault(("budget", method, n), {}), fit(method, budget))
                jobs.append(Job("label budget", cost, measure(method, budget, seed), method))
    return jobs


def _budget_epochs(cfg, n, n_all):
    return int(cfg.epochs * max(1, min(20, n_all // max(n, 1))))


def run_jobs(jobs, progress=None):
    """Run ``jobs`` in order; ``progress(i, jobs, job, result, seconds)`` after each.
    Returns the results of the measured jobs."""
    results = []
    for i, job in enumerate(jobs):
        t0 = time.perf_counter()
        result = job.run()
        if result is not None:
            results.append(result)
        if progress is not None:
            progress(i + 1, jobs, job, result, time.perf_counter() - t0)
    return results


def run_study(data, *, depths=(1, 2, 4, 6, 8), methods=tuple(METHODS),
              optimizers=("momentum", "adam"), seeds=(0,), config=None, grid=None,
              progress=None, state=None):
    """Train every combination; returns ``(results, stacks)``.

    ``data`` is ``(X_train, X_test, y_train, y_test)``.  Each result is a dict
    with ``method``, ``optimizer``, ``depth``, ``seed``, the chosen
    ``learning_rate`` and the ``validation_scores`` it was chosen by,
    ``test_error``, ``seconds`` (fine-tuning; pretraining is in ``stacks``),
    the gradient norm per layer before training (``grad_norms_init``), after
    ``config.monitor_epochs`` epochs (``grad_norms_early``) and per epoch,
    the saturation per epoch and layer, and the loss curve.  ``stacks`` maps a
    seed to ``(DBN, seconds)``: the pretrained stack the DBN nets share.
    """
    state = {} if state is None else state
    jobs = study_jobs(data, depths=depths, methods=methods, optimizers=optimizers, seeds=seeds,
                      config=config, grid=grid, state=state)
    return run_jobs(jobs, progress), state["stacks"]


def label_budget_study(data, stacks, *, budgets=(100, 1000, None), depth=4, seeds=(0,),
                       optimizer="momentum", config=None, grid=None, progress=None):
    """Pretrained (on all unlabelled rows) vs random init with few labels.

    For each budget (``None`` = all labels) and seed, a stratified subset of the
    labelled training rows fine-tunes a DBN-initialised sigmoid net, the same
    net with Glorot init, and a ReLU/He net, each at the step size chosen for
    it on a validation split of that budget's labelled rows.  Returns a list of
    dicts with ``budget``, ``method``, ``seed``, ``test_error``,
    ``learning_rate`` and ``validation_scores``.
    """
    state = {"stacks": dict(stacks)}
    jobs = label_budget_jobs(data, state, budgets=budgets, depth=depth, seeds=seeds,
                             optimizer=optimizer, config=config, grid=grid)
    return run_jobs(jobs, progress)
