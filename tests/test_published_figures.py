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
        if (RESULTS / name).exists():
            record = _load(name)
            assert record["command"].startswith("python benchmarks/"), name
            assert record["commit"], name
