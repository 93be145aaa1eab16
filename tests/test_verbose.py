"""What ``verbose`` shows: every phase of every estimator, named, one line per epoch."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from deepbelief import (
    DBM,
    DBN,
    RBM,
    DBMClassifier,
    DBNClassifier,
    DBNRegressor,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoder,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)

X = np.random.default_rng(0).random((40, 6))
Y = np.arange(40) % 3

#: estimator, the phases its epochs run in, and its epochs in each
CASES = [
    (RBM(4, n_iter=3), {"": 3}),
    (DBN((4, 3), n_iter=2), {"layer 1/2": 2, "layer 2/2": 2}),
    (DBM((4, 3), pretrain_n_iter=2, n_iter=3),
     {"pretraining layer 1/2": 2, "pretraining layer 2/2": 2, "joint training": 3}),
    (DBNClassifier((4,), pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/1": 2, "fine-tuning": 3}),
    (DBNRegressor((4,), pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/1": 2, "fine-tuning": 3}),
    (DBMClassifier(DBM((4,), pretrain_n_iter=2, n_iter=2), max_iter=3),
     {"DBM pretraining layer 1/1": 2, "DBM joint training": 2, "fine-tuning": 3}),
    (StackedAutoencoder((4, 3), pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/2": 2, "pretraining layer 2/2": 2, "fine-tuning": 3}),
    (StackedAutoencoder((4,), pretrain="rbm", pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/1": 2, "fine-tuning": 3}),
    (StackedAutoencoderClassifier((4,), pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/1": 2, "fine-tuning": 3}),
    (StackedAutoencoderRegressor((4,), pretrain_n_iter=2, max_iter=3),
     {"pretraining layer 1/1": 2, "fine-tuning": 3}),
    (DeepNetClassifier((4,), max_iter=3), {"training": 3}),
    (DeepNetRegressor((4,), max_iter=3), {"training": 3}),
]
EPOCH = re.compile(r"^\[(\w+)\] ?(.*?) ?epoch (\d+)/(\d+): (.*), ([\d.e+-]+) s$")


def _fit(est, verbose):
    est.set_params(verbose=verbose, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y if hasattr(est, "predict") else None) if hasattr(est, "predict") \
            else est.fit(X)


@pytest.mark.parametrize("est, phases", CASES, ids=lambda c: type(c).__name__ if
                         not isinstance(c, dict) else "")
def test_verbose_1_names_every_phase_and_prints_one_line_per_epoch(est, phases, capsys):
    _fit(est, 1)
    lines = capsys.readouterr().out.splitlines()
    name = type(est).__name__
    assert lines and all(line.startswith(f"[{name}] ") for line in lines), lines
    seen = {}
    for line in lines:
        match = EPOCH.match(line)
        if match is None:  # the budget and layer header lines
            assert " resolved " in line or " -> " in line, line
            continue
        _, phase, epoch, total, figures, _ = match.groups()
        seen.setdefault(phase, []).append((int(epoch), int(total)))
        # a figure of how training goes: a loss or a reconstruction error
        assert "loss = " in figures or "reconstruction_error = " in figures, line
    assert {p: len(e) for p, e in seen.items()} == phases
    for epochs in seen.values():
        assert epochs == [(k + 1, len(epochs)) for k in range(len(epochs))]


@pytest.mark.parametrize("est, phases", CASES[:6], ids=lambda c: type(c).__name__ if
                         not isinstance(c, dict) else "")
def test_verbose_0_is_silent_and_verbose_2_adds_a_bar_with_an_eta(est, phases, capsys):
    _fit(est, 0)
    assert capsys.readouterr() == ("", "")
    _fit(est, 2)
    out, err = capsys.readouterr()
    assert "ETA" in err and f"[{type(est).__name__}]" in err
    assert err.endswith("\r")  # the bar is erased when the fit ends
    assert "ETA" not in out
