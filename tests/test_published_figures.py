"""The figures the README and the docs quote are those of the committed JSONs.

Each row names a JSON written by a benchmark command (``benchmarks/results``),
how to read one figure from it, how the page prints it, and the pages that
quote it; the test fails when a page quotes a figure the JSON does not hold.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def _load(name):
    return json.loads((RESULTS / name).read_text())


def _x(value):
    return f"{value:.2f}x"


def _s(value):
    return f"{value:.2f} s"


def _pct(value):
    return f"{value:.2f} %"


# (json, figure, format, pages)
FIGURES = [
    ("bench_rbm.json", lambda d: d["cd1_over_floor"], _x, ["README.md"]),
    ("bench_rbm.json", lambda d: d["cd1_over_sklearn"], _x, ["README.md"]),
    ("bench_rbm.json", lambda d: d["medians"]["cd1"], _s, ["docs/rbm.rst"]),
    ("bench_rbm.json", lambda d: d["medians"]["floor"], _s, ["docs/rbm.rst"]),
    ("bench_rbm.json", lambda d: d["medians"]["sklearn"], _s, ["docs/rbm.rst"]),
    ("bench_rbm.json", lambda d: d["ais_over_floor"], _x, ["README.md"]),
    ("bench_finetune.json", lambda d: d["ours_over_floor"], _x, ["README.md", "docs/dbn.rst"]),
    ("bench_finetune.json", lambda d: d["ours_over_sklearn"], _x, ["README.md"]),
    ("bench_finetune.json", lambda d: d["medians"]["ours"], _s, ["docs/dbn.rst"]),
    ("bench_dbm.json",
     lambda d: d["medians"]["DBM 784-500-1000 joint epoch, 10 mean-field sweeps"]
     / d["medians"]["  its matmul floor"], _x, ["README.md", "docs/dbm_results.rst"]),
]


def _nats(value):
    return f"{value:.2f}"


FIGURES += [
    ("mnist_dbn.json", lambda d: d["dbn"]["test_error_percent"], _pct,
     ["docs/dbn.rst", "README.md"]),
    ("mnist_dbn_chosen.json", lambda d: d["test_error_percent"], _pct,
     ["docs/dbn.rst", "README.md"]),
    ("mnist_dbn_chosen_1thread.json", lambda d: d["test_error_percent"], _pct,
     ["docs/dbn.rst", "README.md"]),
    ("mnist_dbn_baselines.json", lambda d: d["sigmoid_normal"]["test_error_percent"], _pct,
     ["docs/dbn.rst"]),
    ("mnist_dbn_baselines.json", lambda d: d["sigmoid_glorot"]["test_error_percent"], _pct,
     ["docs/dbn.rst"]),
    ("mnist_dbn_baselines.json", lambda d: d["relu_he"]["test_error_percent"], _pct,
     ["docs/dbn.rst"]),
    ("mnist_rbm_loglik.json", lambda d: d["test_log_likelihood"], _nats,
     ["docs/rbm.rst", "README.md"]),
    ("mnist_rbm_loglik.json", lambda d: d["train_log_likelihood"], _nats, ["docs/rbm.rst"]),
    ("mnist_autoencoders.json", lambda d: d["deep_ae"]["test_squared_error"],
     lambda v: f"{v:.2f}", ["docs/autoencoder_results.rst"]),
    ("mnist_autoencoders.json",
     lambda d: d["deep_ae"]["unrolled_before_finetuning_test_squared_error"],
     lambda v: f"{v:.2f}", ["docs/autoencoder_results.rst"]),
    ("mnist_autoencoders.json", lambda d: d["pca30"]["test_squared_error"],
     lambda v: f"{v:.2f}", ["docs/autoencoder_results.rst"]),
    ("mnist_autoencoders.json", lambda d: d["sda"]["test_error_percent"], _pct,
     ["docs/autoencoder_results.rst", "README.md"]),
] + [
    (f"dbn_selection/{name}.json", lambda d: d["validation_error_percent"], _pct,
     ["docs/dbn.rst"])
    for name in ("recipe", "lr_0.2", "dynamic_binarization", "pretrain_samples",
                 "dropout_0.5_input_0.2", "dropout_0.5_input_0.2_160_epochs")
]


def _grid(backend):
    return lambda d: next(g for g in d["grid"] if g["backend"] == backend)["median_seconds"]


def _ooc(mode, key):
    return lambda d: d["out_of_core"]["summary"][mode][key]


_1s = lambda v: f"{v:.1f} s"  # noqa: E731
_mb = lambda v: f"{v:.0f} MB"  # noqa: E731

FIGURES += [
    ("dask.json", _grid("loky"), _1s, ["docs/dask.rst", "README.md"]),
    ("dask.json", _grid("dask"), _1s, ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("in-memory", "train_seconds"), _1s, ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("out-of-core", "train_seconds"), _1s, ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("in-memory", "peak_rss_mb"), _mb, ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("out-of-core", "peak_rss_mb"), _mb, ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("in-memory", "test_log_likelihood_mean"), _nats,
     ["docs/dask.rst", "README.md"]),
    ("dask.json", _ooc("out-of-core", "test_log_likelihood_mean"), _nats,
     ["docs/dask.rst", "README.md"]),
    ("dask.json", lambda d: d["out_of_core"]["summary"]["in-memory"]["peak_rss_training_mb"]
     - d["out_of_core"]["summary"]["in-memory"]["rss_after_imports_mb"], _mb,
     ["docs/dask.rst"]),
    ("dask.json", lambda d: d["out_of_core"]["summary"]["out-of-core"]["peak_rss_training_mb"]
     - d["out_of_core"]["summary"]["out-of-core"]["rss_after_imports_mb"], _mb,
     ["docs/dask.rst"]),
]


def _figures():
    for name, get, fmt, pages in FIGURES:
        if (RESULTS / name).exists():
            for page in pages:
                yield pytest.param(name, get, fmt, page, id=f"{name}-{page}")


@pytest.mark.parametrize("name, get, fmt, page", list(_figures()))
def test_page_quotes_the_json(name, get, fmt, page):
    text = (ROOT / page).read_text()
    figure = fmt(get(_load(name)))
    assert figure in text.replace("**", ""), f"{page} does not quote {figure} of {name}"


def test_every_quoted_json_names_its_command_and_commit():
    for name in {row[0] for row in FIGURES}:
        if (RESULTS / name).exists() and not name.startswith("dbn_selection/"):
            record = _load(name)
            assert "python benchmarks/" in record["command"], name
            assert record["commit"], name


def test_the_dask_search_chose_alike_on_both_backends():
    if (RESULTS / "dask.json").exists():
        assert _load("dask.json")["grid_same_results"]


# the study's committed reports: (results.json, figure, format, pages)
STUDY = ROOT / "docs"


def _budget_error(method, budget):
    def get(d):
        vals = [r["test_error"] for r in d["label_budget"]
                if r["method"] == method and r["budget"] == budget]
        return 100 * sum(vals) / len(vals)
    return get


def _depth_error(method, depth):
    def get(d):
        vals = [r["test_error"] for r in d["results"] if r["method"] == method
                and r["depth"] == depth and r["optimizer"] == "momentum"]
        return 100 * sum(vals) / len(vals)
    return get


_pct1 = lambda v: f"{v:.1f} %"  # noqa: E731
_wall = lambda d: d["meta"]["wall seconds"]  # noqa: E731
_secs = lambda v: f"{v:,.0f} s"  # noqa: E731
BUDGET = "study_report_mnist_budget/results.json"
DEPTH = "study_report_mnist_depth/results.json"

STUDY_FIGURES = [
    (BUDGET, _budget_error(m, b), _pct1, ["README.md", "docs/study.rst"])
    for m in ("dbn", "relu_he") for b in (100, 1000, 10000, 60000)
] + [
    (BUDGET, _budget_error("sigmoid_glorot", 100), _pct1, ["README.md", "docs/study.rst"]),
    (BUDGET, _budget_error("sigmoid_glorot", 1000), _pct1, ["docs/study.rst"]),
    (BUDGET, _wall, _secs, ["docs/study.rst"]),
    (DEPTH, _wall, _secs, ["docs/study.rst"]),
] + [
    (DEPTH, _depth_error(m, 8), _pct1, ["docs/study.rst"])
    for m in ("relu_he", "sdae", "dbn", "sigmoid_batchnorm", "relu_residual")
]


@pytest.mark.parametrize("name, get, fmt, page", [
    pytest.param(name, get, fmt, page, id=f"{name.split('/')[0]}-{i}-{page}")
    for i, (name, get, fmt, pages) in enumerate(STUDY_FIGURES) if (STUDY / name).exists()
    for page in pages])
def test_page_quotes_the_study_report(name, get, fmt, page):
    text = (ROOT / page).read_text()
    figure = fmt(get(json.loads((STUDY / name).read_text())))
    assert figure in text.replace("**", "").replace("\n", " ").replace("  ", " "), \
        f"{page} does not quote {figure} of {name}"
