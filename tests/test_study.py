"""The lab: fair by construction, and its committed report is what its command gives."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from deepbelief.experiments import StudyConfig, load_dataset, run_study
from deepbelief.experiments.configs import LEARNING_RATE_GRID, METHODS
from deepbelief.experiments.selection import choose_learning_rate, next_step, step_score

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "study_report" / "results.json"


def test_the_step_is_the_best_on_validation_ties_to_the_smaller():
    assert choose_learning_rate({0.01: 0.5, 0.1: 0.9, 0.3: 0.9}) == 0.1
    assert choose_learning_rate({0.01: 0.5, 0.1: float("nan")}) == 0.01
    assert choose_learning_rate({0.1: float("nan"), 0.3: float("nan")}) == 0.1


def test_a_step_is_scored_by_its_worst_seed():
    """The Glorot net on 1,000 MNIST labels: 0.3 trained seed 0 (89 %) and left
    other seeds at chance; scored by the worst seed, 0.1 is chosen."""
    nan = float("nan")
    assert step_score([0.89, 0.11]) == 0.11
    assert step_score({0: 0.9, 1: nan}) != step_score({0: 0.9, 1: nan})  # NaN: diverged
    assert step_score(0.5) == 0.5
    assert choose_learning_rate({0.1: [0.85, 0.86], 0.3: [0.89, 0.11]}) == 0.1
    assert choose_learning_rate({0.1: [0.85, 0.86], 0.3: [0.89, nan]}) == 0.1


def test_the_grid_is_extended_past_an_edge_that_wins():
    nan = float("nan")
    grid = {0.01: 0.42, 0.03: 0.30, 0.1: 0.2, 0.3: nan}
    assert next_step(grid) == 0.003  # best at the small edge: one step smaller
    assert next_step({0.01: 0.5, 0.03: 0.6, 0.1: 0.7, 0.3: 0.8}) == 1.0
    assert next_step({3e-4: 0.9, 1e-3: 0.8, 3e-3: 0.7}) == 1e-4
    assert next_step({0.003: 0.9, 0.01: 0.8, 0.03: 0.7}) == 0.001  # the 1-3 series
    assert next_step({0.01: nan, 0.03: nan}) == 0.003  # all diverged: smaller
    # a plateau is extended downward (too large a step looks like a vanished
    # gradient), upward only for a gain; an interior best is not extended
    assert next_step({0.01: 0.1, 0.03: 0.1, 0.1: 0.1, 0.3: 0.1}) == 0.003
    assert next_step({0.01: 0.1, 0.03: 0.5, 0.1: 0.5}) is None  # 0.1 ties 0.03
    assert next_step({0.01: 0.5, 0.03: 0.9, 0.1: 0.7}) is None


def test_choose_step_extends_the_grid_for_a_net_whose_best_step_is_outside_it():
    """Adam at 1.0 and 3.0 leaves a small net at chance; choose_step goes down
    to a step that trains it, and every step it tried is scored."""
    from deepbelief import DeepNetClassifier
    from deepbelief.experiments import choose_step
    from deepbelief.experiments.selection import validation_split

    X_tr, _, y_tr, _ = load_dataset("digits")
    make = lambda lr: DeepNetClassifier((16,), solver="adam", learning_rate_init=lr,  # noqa
                                        max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr, scores = choose_step(make, *validation_split(X_tr, y_tr)[::2],
                                 *validation_split(X_tr, y_tr)[1::2], steps=(1.0, 3.0))
    assert lr < 1.0 and len(scores) > 2 and scores[lr] > 0.8


def test_no_method_ends_at_chance_where_a_tuned_run_of_it_does_not():
    """Every method of the study, shallow and deep, at the step chosen on the
    validation split: a test error at chance is only allowed where every step
    of the grid was at chance on the validation split too (the vanishing
    gradient itself), never because of the step size."""
    data = load_dataset("digits")
    cfg = StudyConfig(width=32, epochs=10, pretrain_epochs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results, _ = run_study(data, depths=(1, 4), methods=tuple(METHODS),
                               optimizers=("momentum",), seeds=(0,), config=cfg)
    assert {r["method"] for r in results} == set(METHODS)
    for r in results:
        assert set(map(float, r["validation_scores"])) >= set(LEARNING_RATE_GRID["momentum"])
        if r["test_error"] > 0.8 or not np.isfinite(r["test_error"]):  # chance is 0.9
            best = max((v for v in r["validation_scores"].values() if np.isfinite(v)),
                       default=0.0)
            assert best < 0.2, (r["method"], r["depth"], r["validation_scores"])
    # the shallow nets all learn
    assert all(r["test_error"] < 0.2 for r in results if r["depth"] == 1)


@pytest.mark.skipif(not REPORT.exists(), reason="no committed report")
def test_the_committed_report_is_what_its_command_gives():
    """A slice of the committed digits study, rerun: the same step sizes and the
    same test errors to the printed digit (same BLAS thread count)."""
    from threadpoolctl import threadpool_info

    committed = json.loads(REPORT.read_text())
    meta = committed["meta"]
    threads = max((p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"),
                  default=None)
    if meta.get("BLAS threads") != threads:
        pytest.skip(f"the report ran with {meta.get('BLAS threads')} BLAS threads, here {threads}")
    cfg = StudyConfig(width=meta["width"], epochs=meta["fine-tuning epochs"],
                      pretrain_epochs=meta["pretraining epochs per layer"])
    methods, depths = ("sigmoid_glorot", "relu_he"), (1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # the committed seeds: every one of them scores each step
        rerun, _ = run_study(load_dataset("digits"), depths=depths, methods=methods,
                             optimizers=("momentum",), seeds=tuple(meta["seeds"]), config=cfg)
    assert len(rerun) == len(methods) * len(depths) * len(meta["seeds"])
    for r in rerun:
        row = next(c for c in committed["results"] if c["method"] == r["method"]
                   and c["depth"] == r["depth"] and c["optimizer"] == "momentum"
                   and c["seed"] == r["seed"])
        assert row["learning_rate"] == r["learning_rate"], (r["method"], r["depth"])
        assert f"{100 * row['test_error']:.1f}" == f"{100 * r['test_error']:.1f}", \
            (r["method"], r["depth"])


@pytest.mark.parametrize("args, message", [
    (["--methods", "foo"], "unknown method 'foo'; choose from sigmoid_normal"),
    (["--depths", "1,a"], "depths must be integers separated by commas"),
    (["--depths", "0"], "depths must be integers of at least 1"),
    (["--optimizers", "sgd"], "unknown optimizer 'sgd'"),
    (["--budgets", "10,x"], "label budgets are positive integers or 'all'"),
    (["--epochs", "0"], "expected a positive integer"),
])
def test_the_cli_names_a_bad_value_without_a_traceback(args, message, capsys):
    from deepbelief.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_cli_says_when_mnist_cannot_be_loaded(monkeypatch, capsys, tmp_path):
    from deepbelief.__main__ import main

    monkeypatch.setenv("DEEPBELIEF_MNIST", str(tmp_path / "missing.npz"))
    with pytest.raises(SystemExit) as exit_:
        main(["--dataset", "mnist", "--quiet"])
    assert exit_.value.code == 2
    assert "could not load mnist" in capsys.readouterr().err


def test_the_top_level_help_shows_the_studys_options(capsys):
    from deepbelief.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for option in ("--depths", "--methods", "--budgets", "--seeds", "rbm"):
        assert option in out


def test_the_time_left_comes_from_measured_times():
    """Seconds per unit of work of each method, measured, times the work left;
    a pretraining run costs what the last ones did."""
    from deepbelief.__main__ import TimeLeft
    from deepbelief.experiments.runner import Job

    jobs = [Job("pretraining", 0.0, None), Job("study", 10.0, None, "a"),
            Job("study", 20.0, None, "b"), Job("pretraining", 0.0, None),
            Job("study", 10.0, None, "a"), Job("study", 40.0, None, "b")]
    clock = TimeLeft(jobs)
    clock.update(jobs[0], 5.0)
    assert clock.seconds(1) is None  # no fit measured yet
    clock.update(jobs[1], 2.0)  # a: 0.2 s per unit
    assert clock.seconds(2) == pytest.approx(20 * 0.2 + 5.0 + 10 * 0.2 + 40 * 0.2)
    clock.update(jobs[2], 8.0)  # b: 0.4 s per unit
    assert clock.seconds(3) == pytest.approx(5.0 + 10 * 0.2 + 40 * 0.4)


def test_the_time_left_counts_a_step_past_the_grid_at_the_share_that_ran():
    from deepbelief.__main__ import TimeLeft
    from deepbelief.experiments.runner import Job

    jobs = [Job("selection", 10.0, None, "a"), Job("selection", 10.0, None, "a", optional=True),
            Job("selection", 10.0, None, "a", optional=True),
            Job("selection", 10.0, None, "a", optional=True)]
    clock = TimeLeft(jobs)
    clock.update(jobs[0], 1.0)  # 0.1 s per unit
    assert clock.seconds(1) == pytest.approx(3 * 0.5 * 1.0)  # none tried yet: one half
    jobs[1].skipped = True
    clock.update(jobs[1], 0.0)  # skipped: no time, and not a rate
    assert clock.seconds(2) == pytest.approx(0.0)
    clock.update(jobs[2], 1.0)  # one of two ran
    assert clock.seconds(3) == pytest.approx(0.5 * 1.0)


def test_every_seed_the_study_measures_scores_each_step():
    """One step for all seeds (per budget), and it has to train every one of
    them: each seed's own labelled rows score it on their validation split."""
    from deepbelief.experiments.runner import label_budget_jobs, run_jobs
    from deepbelief.experiments.selection import selection_seeds

    assert selection_seeds((0,)) == (0, 1) and selection_seeds((3, 5, 9)) == (3, 5, 9)
    data = load_dataset("digits")
    state = {}
    cfg = StudyConfig(width=16, epochs=2, pretrain_epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rows = run_jobs(label_budget_jobs(data, state, budgets=(100,), depth=1, seeds=(0, 1, 2),
                                          config=cfg))
    for (_, method, n), scores in state["chosen"].items():
        assert n == 100 and all(set(per_seed) == {0, 1, 2} for per_seed in scores.values())
        lrs = {r["learning_rate"] for r in rows if r["method"] == method}
        assert lrs == {choose_learning_rate(scores)}
