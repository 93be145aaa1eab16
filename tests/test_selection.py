"""The validation-split protocol of the MNIST recipe scripts (benchmarks/_selection.py)."""

import argparse
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def selection():
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))  # its helper module _record
    try:
        spec = importlib.util.spec_from_file_location("_selection",
                                                      ROOT / "benchmarks" / "_selection.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


class Fixed:
    """A classifier whose accuracy is its setting's, on any data."""

    def __init__(self, accuracy, log, name):
        self.accuracy, self.log, self.name = accuracy, log, name

    def fit(self, X, y):
        self.log.append((self.name, X.shape[0]))
        return self

    def score(self, X, y):
        return self.accuracy


def run(selection, tmp_path, argv, log, accuracies):
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    selection.add_arguments(p)
    args = p.parse_args(argv + ["--results", str(tmp_path)])
    rng = np.random.default_rng(0)
    X, y = rng.random((12000, 2)), np.arange(12000) % 10
    data = (X, y, X[:100], y[:100])
    return selection.run(p, args, accuracies,
                         lambda name, X, y: Fixed(accuracies[name], log, name).fit(X, y), data)


def test_validate_then_refit_chooses_the_lowest_validation_error(selection, tmp_path):
    acc = {"a": 0.97, "b": 0.99, "c": 0.98}
    log = []
    run(selection, tmp_path, ["--validate", "a,c"], log, acc)
    run(selection, tmp_path, ["--validate", "b"], log, acc)
    assert log == [("a", 2000), ("c", 2000), ("b", 2000)]  # 10,000 held out for validation
    assert json.loads((tmp_path / "b.json").read_text())["validation_error_percent"] == \
        pytest.approx(1.0)
    out = run(selection, tmp_path, ["--refit"], log, acc)
    assert out["chosen"] == "b" and log[-1] == ("b", 12000)  # refitted on all the data
    assert out["test_error_percent"] == pytest.approx(1.0)
    assert selection.choose({"y": 1.0, "x": 1.0, "z": 2.0}) == "x"  # a tie: the first name


def test_a_result_of_another_seed_does_not_count(selection, tmp_path):
    acc = {"a": 0.97, "b": 0.99}
    run(selection, tmp_path, ["--validate", "a"], [], acc)
    run(selection, tmp_path, ["--validate", "b", "--seed", "1"], [], acc)
    assert run(selection, tmp_path, ["--refit"], [], acc)["chosen"] == "a"


def test_test_mode_and_unknown_settings(selection, tmp_path):
    log = []
    out = run(selection, tmp_path, ["--test", "a"], log, {"a": 0.9, "b": 0.99})
    assert out["chosen"] == "a" and log == [("a", 12000)]
    with pytest.raises(SystemExit):
        run(selection, tmp_path, ["--validate", "nope"], [], {"a": 0.9})
