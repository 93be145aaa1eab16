"""The step-size rule of the study, usable with any estimator.

A step is fitted on a stratified validation split (:func:`validation_split`)
once per seed (:func:`selection_seeds`) and scored by its worst seed
(:func:`step_score`); the best step wins, ties to the smaller
(:func:`choose_learning_rate`); where it lies on an edge of the steps tried,
the grid is extended past it (:func:`next_step`).  :func:`choose_step` does
all of it for one estimator factory.
"""

import math

import numpy as np
from sklearn.model_selection import train_test_split

from ..errors import TrainingDivergedError
from .configs import (
    LEARNING_RATE_GRID,
    MAX_EXTRA_STEPS,
    MIN_SELECTION_SEEDS,
    VALIDATION_FRACTION,
)


def fit_and_score(est, X_fit, y_fit, X_eval, y_eval):
    """Fit ``est`` on ``(X_fit, y_fit)`` and return its score on ``(X_eval,
    y_eval)``; a fit that diverges scores NaN (a result, not a crash)."""
    try:
        est.fit(X_fit, y_fit)
    except TrainingDivergedError:
        return float("nan")
    return float(est.score(X_eval, y_eval))


def validation_split(X, y, fraction=VALIDATION_FRACTION, seed=0):
    """The stratified split the step sizes are chosen on: ``(X_fit, X_val, y_fit, y_val)``."""
    stratify = y if np.min(np.bincount(y.astype(int))) >= 2 else None
    return train_test_split(X, y, test_size=fraction, random_state=seed, stratify=stratify)


def selection_seeds(seeds):
    """The seeds each step is scored with: every seed of ``seeds``, and more
    after the last up to ``MIN_SELECTION_SEEDS``."""
    seeds = list(seeds)
    while len(seeds) < MIN_SELECTION_SEEDS:
        seeds.append(seeds[-1] + 1)
    return tuple(seeds)


def step_score(scores):
    """The validation score of one step from its scores under several seeds
    (a number, a sequence or a ``{seed: score}`` dict): the worst of them, NaN
    if any fit diverged."""
    if isinstance(scores, dict):
        scores = list(scores.values())
    values = np.atleast_1d(np.asarray(scores, dtype=float))
    return float("nan") if np.isnan(values).any() else float(values.min())


def choose_learning_rate(scores):
    """The step size of best validation accuracy (``scores``: ``{lr: accuracy}``,
    NaN for a diverged fit, or ``{lr: scores under several seeds}``, each step
    then scored by :func:`step_score`); ties go to the smaller step."""
    scores = {lr: step_score(v) for lr, v in scores.items()}
    finite = {lr: s for lr, s in scores.items() if not math.isnan(s)}
    if not finite:
        return min(scores)
    best = max(finite.values())
    return min(lr for lr, s in finite.items() if s == best)


def next_step(scores):
    """The step to try past the edge of the steps tried, or None.

    When the chosen step (:func:`choose_learning_rate`) is the smallest tried,
    or the largest tried and better than its neighbour, the next step beyond it
    by the ratio of those two (rounded to the nearest of 1 or 3 times a power
    of ten, the series of ``LEARNING_RATE_GRID``), so that a
    method whose best step lies outside the grid gets it.  Downward, a tie
    counts (every step at chance or diverged looks the same whether the
    gradient vanished or the steps were all too large: a smaller one tells them
    apart); upward only a gain does.
    """
    tried = sorted(scores)
    if len(tried) < 2:
        return None
    s = {lr: step_score(v) for lr, v in scores.items()}

    def beyond(edge, neighbour):
        x = edge * edge / neighbour
        k = math.floor(math.log10(x))
        nearest = min((10**k, 3 * 10**k, 10**(k + 1)), key=lambda c: abs(math.log(c / x)))
        return float(f"{nearest:.1g}")

    best = choose_learning_rate(s)
    if best == tried[0]:
        return beyond(tried[0], tried[1])
    if best == tried[-1] and (math.isnan(s[tried[-2]]) or s[tried[-1]] > s[tried[-2]]):
        return beyond(tried[-1], tried[-2])
    return None


def choose_step(make, X_fit, y_fit, X_val, y_val, steps=LEARNING_RATE_GRID["momentum"],
                seeds=(0, 1), extra_steps=MAX_EXTRA_STEPS):
    """The study's step-size rule for any estimator: ``(step, {step: score})``.

    ``make(lr)`` returns an unfitted estimator at step ``lr``; each step is
    fitted on ``(X_fit, y_fit)`` once per ``random_state`` in ``seeds`` and
    scored on ``(X_val, y_val)`` by the worst of them (:func:`step_score`); the
    grid ``steps`` is extended past an edge up to ``extra_steps`` times
    (:func:`next_step`).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from deepbelief import DeepNetClassifier
    >>> from deepbelief.experiments import choose_step
    >>> X, y = load_iris(return_X_y=True)
    >>> X_fit, X_val, y_fit, y_val = train_test_split(X / 8, y, random_state=0, stratify=y)
    >>> make = lambda lr: DeepNetClassifier((16,), learning_rate_init=lr, max_iter=20)
    >>> lr, scores = choose_step(make, X_fit, y_fit, X_val, y_val, steps=(1e-3, 1e-2))
    >>> lr in scores
    True
    """
    scores = {}

    def score(lr):
        scores[lr] = [fit_and_score(make(lr).set_params(random_state=seed), X_fit, y_fit,
                                    X_val, y_val) for seed in seeds]

    for lr in steps:
        score(lr)
    for _ in range(extra_steps):
        lr = next_step(scores)
        if lr is None or lr in scores:
            break
        score(lr)
    return choose_learning_rate(scores), validation_scores(scores)


def validation_scores(scores):
    """``{lr: score}`` (each step by :func:`step_score`), in step order: what a
    result records of the choice."""
    return {lr: step_score(v) for lr, v in sorted(scores.items())}
