"""The epoch skeleton shared by every training loop."""

import io

import numpy as np
import pytest

from deepbelief.errors import TrainingDivergedError
from deepbelief.training.loop import WEIGHT_LIMIT, format_record, run_epochs
from deepbelief.training.optimizers import scheduled_learning_rate
from deepbelief.training.progress import ProgressBar, format_seconds, minibatches, phase


def test_records_schedule_and_history():
    w = np.zeros(3)
    seen = []

    def epoch(e, lr):
        seen.append((e, lr))
        w[...] += lr
        return {"loss": float(e)}

    history = {"epoch": [1]}
    stopped = run_epochs(epoch, [w], 3, learning_rate=0.1, schedule="linear", horizon=8,
                         start_epoch=1, history=history)
    assert not stopped
    assert [e for e, _ in seen] == [1, 2, 3]
    assert [lr for _, lr in seen] == [scheduled_learning_rate("linear", 0.1, e, 8)
                                       for e in (1, 2, 3)]
    assert history["epoch"] == [1, 2, 3, 4]
    assert history["loss"] == [1.0, 2.0, 3.0]
    assert history["learning_rate"] == [lr for _, lr in seen]
    assert len(history["seconds"]) == 3
    np.testing.assert_allclose(w, sum(lr for _, lr in seen))


@pytest.mark.parametrize("bad", ["weights", "loss", "scale"])
def test_divergence_restores_the_last_finite_epoch(bad):
    w = np.ones((2, 2))
    moments = {"m": np.zeros(2)}
    restored = []

    def epoch(e, lr):
        w[...] += 1.0
        moments["m"] += 1.0
        if e == 2:
            if bad == "weights":
                w[0, 1] = np.inf
            if bad == "scale":
                w[0, 1] = 2 * WEIGHT_LIMIT
            return {"loss": np.nan if bad == "loss" else 0.0}
        return {"loss": 0.0}

    def put(saved):
        moments.clear()
        moments.update(saved)

    history = {}
    with pytest.raises(TrainingDivergedError, match=r"^Toy training diverged in epoch 3 .*Try"):
        run_epochs(epoch, [w], 5, learning_rate=0.1, history=history, name="Toy",
                   hint="Try less.", state=(lambda: moments, put), on_restore=restored.append)
    np.testing.assert_array_equal(w, np.full((2, 2), 3.0))  # after epoch 2, not 3
    np.testing.assert_array_equal(moments["m"], [2.0, 2.0])  # the optimizer state too
    assert restored == [2]
    assert history["epoch"] == [1, 2]


def test_a_loss_growing_far_past_its_best_is_divergence():
    """Three epochs in a row above 10x the best loss (and above the first)
    restore the state from before the growth, the history with it."""
    losses = [5.0, 1.0, 0.5, 6.0, 7.0, 8.0, 9.0]
    w = np.zeros((1, 1))

    def epoch(e, lr):
        w[...] = e + 1
        return {"loss": losses[e]}

    history = {}
    with pytest.raises(TrainingDivergedError, match=r"epoch 6 \(loss 8, over 10 times its "
                                                    r"best 0.5 for 3 epochs"):
        run_epochs(epoch, [w], 7, learning_rate=0.1, history=history)
    assert w[0, 0] == 3.0  # the state after epoch 3, the best, before the growth
    assert history["loss"] == losses[:3]


@pytest.mark.parametrize("losses", [
    [5.0, 1.0, 0.5, 6.0, 7.0, 0.4, 8.0, 9.0],  # the growth broken by a new best
    [5.0, 0.01, 0.2, 0.3, 0.4, 0.5],  # 10x past the best but below the first epoch
    [1e3, 1e2] + [1e2 * 0.9 ** k for k in range(10)],  # weights growing, loss falling
])
def test_noise_and_recovery_are_not_divergence(losses):
    w = np.zeros((1, 1))

    def epoch(e, lr):
        w[...] = 10.0 ** min(e, 5)  # weights growing from a small start are normal
        return {"loss": losses[e]}

    history = {}
    assert not run_epochs(epoch, [w], len(losses), learning_rate=0.1, history=history)
    assert history["loss"] == losses


def test_monitor_and_early_stop():
    w = np.zeros(2)
    history = {}
    stopped = run_epochs(lambda e, lr: {"loss": 1.0}, [w], 10, learning_rate=0.1,
                         history=history, monitor=lambda e: {"val_score": 0.5 + e},
                         end_epoch=lambda record: record["epoch"] == 4)
    assert stopped
    assert history["val_score"] == [0.5, 1.5, 2.5, 3.5]


def test_verbose_line(capsys):
    run_epochs(lambda e, lr: {"loss": 0.25}, [np.zeros(1)], 1, learning_rate=0.5, name="RBM",
               verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("[RBM] epoch 1: learning_rate = 0.5, loss = 0.25, ")
    assert out.rstrip().endswith(" s")
    assert format_record("", {"epoch": 2, "loss": 1.0, "grad_norms": [1.0]}, 5) == \
        "epoch 2/5: loss = 1"
    with phase("DBN"), phase("layer 2/3"):
        run_epochs(lambda e, lr: {}, [np.zeros(1)], 2, learning_rate=0.5, name="RBM", verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["[DBN] layer 2/3 epoch 1/2",
                                                      "[DBN] layer 2/3 epoch 2/2"]


def test_progress_bar_counts_minibatches_and_estimates_the_time_left():
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar("[DBN] layer 1/2", 4, stream=stream, every=0.0, clock=lambda: now[0])
    bar.start_epoch(1)  # the second of 4 epochs
    now[0] = 30.0
    bar.advance(50, 100)  # 1.5 of 4 epochs in 30 s: 50 s to go
    text = "[DBN] layer 1/2 epoch 2/4 [#########...............]  38% 0:30 elapsed, ETA 0:50"
    assert stream.getvalue() == "\r" + text
    bar.clear()
    assert stream.getvalue() == "\r" + text + "\r" + " " * len(text) + "\r"
    assert format_seconds(3725) == "1:02:05" and format_seconds(59.6) == "1:00"


def test_verbose_2_draws_a_bar_over_the_minibatches_of_every_epoch(capsys):
    seen = []

    def epoch(e, lr):
        for start in minibatches(10, 3):
            seen.append(start)
        return {"loss": 1.0}

    run_epochs(epoch, [np.zeros(1)], 2, learning_rate=0.1, name="Toy", verbose=2)
    captured = capsys.readouterr()
    assert seen == [0, 3, 6, 9] * 2  # the batches themselves are untouched
    assert "[Toy] epoch 2/2 [" in captured.err and "ETA" in captured.err
    assert captured.err.endswith("\r")  # erased before each epoch's line
    assert captured.out.count("\n") == 2
    run_epochs(epoch, [np.zeros(1)], 1, learning_rate=0.1, name="Toy", verbose=1)
    assert capsys.readouterr().err == ""  # no bar below verbose=2


def test_one_error_class_for_every_loop():
    # every module that names the error holds the one class of deepbelief.errors
    import importlib
    import pkgutil

    import deepbelief

    holders = []
    for info in pkgutil.walk_packages(deepbelief.__path__, "deepbelief."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "TrainingDivergedError"):
            holders.append(info.name)
            assert module.TrainingDivergedError is TrainingDivergedError, info.name
    assert "deepbelief.training.loop" in holders
    assert issubclass(TrainingDivergedError, FloatingPointError)
