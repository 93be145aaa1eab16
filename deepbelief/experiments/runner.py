"""Run the study: every method x depth x optimizer x seed on one data set."""

import time

import numpy as np
from sklearn.model_selection import train_test_split

from ..errors import TrainingDivergedError
from ..estimators.dbn import DBN
from .configs import METHODS, StudyConfig


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


def _fit_and_record(est, method, optimizer, depth, seed, data, cfg):
    """Fit ``est`` and measure it; a diverged fit is a result too (test error NaN)."""
    X_tr, X_te, y_tr, y_te = data
    t0 = time.perf_counter()
    try:
        est.fit(X_tr, y_tr)
        diverged = False
    except TrainingDivergedError:
        diverged = True
    h = est.history_
    norms = h.get("grad_norms", [])
    k = min(cfg.monitor_epochs, len(norms)) - 1
    return {
        "method": method, "optimizer": optimizer, "depth": depth, "seed": seed,
        "test_error": float("nan") if diverged else float(1.0 - est.score(X_te, y_te)),
        "diverged": diverged,
        "seconds": time.perf_counter() - t0,
        "grad_norms_init": h["grad_norms_init"],
        "grad_norms_early": norms[k] if k >= 0 else h["grad_norms_init"],
        "grad_norms": norms,
        "saturation": h.get("saturation", []),
        "loss": h.get("loss", []),
    }


def run_study(data, *, depths=(1, 2, 4, 6, 8), methods=tuple(METHODS),
              optimizers=("momentum", "adam"), seeds=(0,), config=None, progress=None):
    """Train every combination; returns ``(results, stacks)``.

    ``data`` is ``(X_train, X_test, y_train, y_test)``.  Each result is a dict
    with ``method``, ``optimizer``, ``depth``, ``seed``, ``test_error``,
    ``seconds`` (fine-tuning; pretraining is in ``stacks``), the gradient norm
    per layer before training (``grad_norms_init``), after
    ``config.monitor_epochs`` epochs (``grad_norms_early``) and per epoch,
    the saturation per epoch and layer, and the loss curve.  ``stacks`` maps a
    seed to ``(DBN, seconds)``: the pretrained stack the DBN nets share.
    ``progress(i, n, result)`` is called after each fit.
    """
    cfg = config or StudyConfig()
    X_tr = data[0]
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"Unknown methods {sorted(unknown)}; choose from {sorted(METHODS)}.")
    results, stacks = [], {}
    n_total = len(seeds) * len(depths) * len(methods) * len(optimizers)
    for seed in seeds:
        if "dbn" in methods:
            t0 = time.perf_counter()
            stacks[seed] = (pretrain_stack(X_tr, max(depths), cfg, seed), time.perf_counter() - t0)
        for depth in depths:
            for method in methods:
                for optimizer in optimizers:
                    est = METHODS[method][1](depth, cfg, optimizer, seed,
                                             dbn=stacks.get(seed, (None,))[0])
                    res = _fit_and_record(est, method, optimizer, depth, seed, data, cfg)
                    results.append(res)
                    if progress is not None:
                        progress(len(results), n_total, res)
    return results, stacks


def label_budget_study(data, stacks, *, budgets=(100, 1000, None), depth=4, seeds=(0,),
                       optimizer="momentum", config=None, progress=None):
    """Pretrained (on all unlabelled rows) vs random init with few labels.

    For each budget (``None`` = all labels) and seed, a stratified subset of the
    labelled training rows fine-tunes a DBN-initialised sigmoid net, the same
    net with Glorot init, and a ReLU/He net.  Returns a list of dicts with
    ``budget``, ``method``, ``seed``, ``test_error``.
    """
    cfg = config or StudyConfig()
    X_tr, X_te, y_tr, y_te = data
    out = []
    for seed in seeds:
        stack = stacks[seed][0] if seed in stacks else pretrain_stack(X_tr, depth, cfg, seed)
        for budget in budgets:
            n = len(y_tr) if budget is None or budget >= len(y_tr) else budget
            if n < len(y_tr):
                idx, _ = train_test_split(np.arange(len(y_tr)), train_size=n,
                                          random_state=seed, stratify=y_tr)
            else:
                idx = np.arange(len(y_tr))
            for method in ("dbn", "sigmoid_glorot", "relu_he"):
                est = METHODS[method][1](depth, cfg, optimizer, seed, dbn=stack)
                # few labels: keep the number of updates comparable to the full set
                est.set_params(max_iter=int(cfg.epochs * max(1, min(20, len(y_tr) // n))))
                try:
                    est.fit(X_tr[idx], y_tr[idx])
                    err = float(1.0 - est.score(X_te, y_te))
                except TrainingDivergedError:
                    err = float("nan")
                res = {"budget": n, "method": method, "seed": seed, "test_error": err}
                out.append(res)
                if progress is not None:
                    progress(len(out), None, res)
    return out

