"""The defaults panel: every deepbelief classifier and regressor at its defaults
beside scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` at theirs.

Same pipeline for all, ``make_pipeline(MinMaxScaler(), est)`` (``--scaler
standard``: ``StandardScaler``), same folds: 3-fold cross-validation, shuffled
with seed 0 (stratified for classification), on float32 input.  Every estimator
gets ``random_state=0`` and nothing else.  Data: scikit-learn's bundled digits,
iris, wine and breast_cancer (classification, accuracy) and diabetes
(regression, R^2), and a 10,000-image subset of the MNIST training set (drawn
with seed 0) when MNIST is present (``--mnist PATH``, else
:func:`deepbelief.datasets.find_mnist`; never downloaded).  Prints the mean score over
the folds and the median fit time of each cell, and writes the table as JSON.

    python benchmarks/bench_defaults.py [--scaler minmax] [--datasets digits,iris,...]
                                        [--estimators DBNClassifier,...] [--out FILE]

``--render FILE`` runs nothing: it writes the tables of the JSON files in
``benchmarks/results/`` as reStructuredText (the docs include
``docs/defaults_panel.inc``)::

    python benchmarks/bench_defaults.py --render docs/defaults_panel.inc
"""

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path
from statistics import median

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import deepbelief
from deepbelief import (
    DBMClassifier,
    DBNClassifier,
    DBNRegressor,
    DeepNetClassifier,
    DeepNetRegressor,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from deepbelief.datasets import find_mnist

from _record import git_commit

ROOT = Path(__file__).resolve().parents[1]
CLASSIFIERS = [MLPClassifier, DeepNetClassifier, DBNClassifier, DBMClassifier,
               StackedAutoencoderClassifier]
REGRESSORS = [MLPRegressor, DeepNetRegressor, DBNRegressor, StackedAutoencoderRegressor]
SMALL = {"digits": datasets.load_digits, "iris": datasets.load_iris, "wine": datasets.load_wine,
         "breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}
REGRESSION = {"diabetes"}
SCALERS = {"minmax": MinMaxScaler, "standard": StandardScaler}


def mnist_subset(path, n=10_000, seed=0):
    from deepbelief.datasets import load_mnist

    X, y, _, _ = load_mnist(path, download=False)
    rows = np.random.default_rng(seed).choice(X.shape[0], n, replace=False)
    return X[rows], y[rows]


def load(name, mnist_path):
    if name == "mnist10k":
        return mnist_subset(mnist_path)
    X, y = SMALL[name](return_X_y=True)
    return X.astype(np.float32), y


def cell(est, scaler, X, y, regression):
    cv = (KFold(3, shuffle=True, random_state=0) if regression
          else StratifiedKFold(3, shuffle=True, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cross_validate(make_pipeline(SCALERS[scaler](), est), X, y, cv=cv,
                             error_score="raise")
    return {"score": float(np.mean(res["test_score"])),
            "fold_scores": [float(s) for s in res["test_score"]],
            "fit_seconds": float(median(res["fit_time"]))}


#: the panel's columns: the family, then its classifier and its regressor
COLUMNS = [("scikit-learn MLP", "MLPClassifier", "MLPRegressor"),
           ("DeepNet", "DeepNetClassifier", "DeepNetRegressor"),
           ("DBN", "DBNClassifier", "DBNRegressor"),
           ("DBM", "DBMClassifier", None),
           ("StackedAutoencoder", "StackedAutoencoderClassifier", "StackedAutoencoderRegressor")]


def render_rst(reports):
    """The panels of ``reports`` (parsed JSON files) as reStructuredText tables."""
    lines = []
    for rep in reports:
        cells = {(c["data"], c["estimator"]): c for c in rep["cells"]}
        data = list(dict.fromkeys(c["data"] for c in rep["cells"]))
        lines += [f"``{rep['pipeline']}``, commit {rep['commit']}: "
                  f"``{rep['command']}`` wrote ``{rep['json']}``.", "",
                  ".. list-table::", "   :header-rows: 1", "",
                  "   * - data (metric)"]
        lines += [f"     - {family}" for family, _, _ in COLUMNS]
        for name in data:
            metric = "R²" if name in REGRESSION else "accuracy"
            lines.append(f"   * - {name} ({metric})")
            for _, clf, reg in COLUMNS:
                c = cells.get((name, reg if name in REGRESSION else clf))
                if c is None:
                    text = "n/a"
                elif c["score"] is None:
                    text = "fails"
                else:
                    text = f"{c['score']:.4f} ({c['fit_seconds']:.2f} s)"
                lines.append(f"     - {text}")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scaler", choices=sorted(SCALERS), default="minmax")
    p.add_argument("--datasets", default="digits,iris,wine,breast_cancer,diabetes,mnist10k",
                   help="comma-separated; mnist10k is skipped when MNIST is absent")
    p.add_argument("--estimators", default=None, help="comma-separated class names (default: all)")
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--out", default=None, help="JSON output (default: "
                   "benchmarks/results/defaults_<scaler>.json)")
    p.add_argument("--render", default=None, metavar="FILE",
                   help="write the tables of benchmarks/results/defaults_*.json to FILE (rst)")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = p.parse_args(argv)
    if args.render:
        reports = []
        for scaler in sorted(SCALERS):
            path = ROOT / "benchmarks" / "results" / f"defaults_{scaler}.json"
            if path.is_file():
                reports.append({**json.loads(path.read_text()),
                                "json": str(path.relative_to(ROOT))})
        Path(args.render).write_text(render_rst(reports) + "\n")
        print(f"wrote {args.render} ({len(reports)} panel(s))")
        return

    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SMALL and n != "mnist10k"]
    if unknown:
        p.error(f"unknown data set(s) {unknown}; choose from {sorted(SMALL) + ['mnist10k']}")
    mnist_path = find_mnist(args.mnist)
    if "mnist10k" in names and mnist_path is None:
        print("MNIST not found (deepbelief.datasets.find_mnist): skipping the mnist10k cell")
        names.remove("mnist10k")
    wanted = None if args.estimators is None else set(args.estimators.split(","))
    out = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / \
        f"defaults_{args.scaler}.json"

    report = {
        "command": " ".join(["python benchmarks/bench_defaults.py", *argv]),
        "commit": git_commit(), "deepbelief": deepbelief.__version__,
        "sklearn": sklearn.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "pipeline": f"make_pipeline({SCALERS[args.scaler].__name__}(), est(random_state=0))",
        "cv": "3-fold, shuffled, seed 0 (stratified for classification)",
        "cells": [],
    }
    print(f"{'data':<14}{'estimator':<30}{'score':>8}{'fit s':>9}")
    for name in names:
        X, y = load(name, mnist_path)
        regression = name in REGRESSION
        for cls in REGRESSORS if regression else CLASSIFIERS:
            if wanted is not None and cls.__name__ not in wanted and cls.__name__[:3] != "MLP":
                continue
            t0 = time.perf_counter()
            try:
                result = cell(cls(random_state=0), args.scaler, X, y, regression)
            except Exception as exc:  # a failing cell is a result of the panel
                result = {"score": None, "error": f"{type(exc).__name__}: {exc}",
                          "fit_seconds": None}
            result.update(data=name, estimator=cls.__name__,
                          metric="r2" if regression else "accuracy",
                          n_samples=int(X.shape[0]), n_features=int(X.shape[1]),
                          wall_seconds=round(time.perf_counter() - t0, 2))
            report["cells"].append(result)
            score = "FAILED" if result["score"] is None else f"{result['score']:.4f}"
            secs = "" if result["fit_seconds"] is None else f"{result['fit_seconds']:.2f}"
            print(f"{name:<14}{cls.__name__:<30}{score:>8}{secs:>9}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
