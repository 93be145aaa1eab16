"""Package-level behaviour: light import, CLI, data loaders, plotting."""

import json
import subprocess
import sys

import numpy as np
import pytest

from deepbelief import datasets


def test_import_has_no_side_effects():
    code = (
        "import sys, logging; import deepbelief; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; "
        "assert not logging.getLogger().handlers; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_cli_help():
    out = subprocess.run([sys.executable, "-m", "deepbelief", "--help"], capture_output=True,
                         text=True, check=True)
    assert "study" in out.stdout and "rbm" in out.stdout
    out = subprocess.run([sys.executable, "-m", "deepbelief", "study", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--depths" in out.stdout and "--out" in out.stdout


def test_cli_rbm_job_writes_report(tmp_path):
    from deepbelief.__main__ import main

    rc = main(["rbm", "--n-components", "12", "--n-iter", "3", "--ais-betas", "200", "--quiet",
               "--out", str(tmp_path)])
    assert rc == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["log_z_method"] == "exact"  # 12 hidden units: enumerated
    assert summary["test_log_likelihood"] < 0
    png = (tmp_path / "rbm_filters.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def _fake_mnist(path):
    rng = np.random.default_rng(0)
    np.savez(path, X_train=rng.integers(0, 256, (20, 784), dtype=np.uint8),
             y_train=rng.integers(0, 10, 20, dtype=np.uint8),
             X_test=rng.integers(0, 256, (5, 784), dtype=np.uint8),
             y_test=rng.integers(0, 10, 5, dtype=np.uint8))


def test_load_mnist_from_path_and_env(tmp_path, monkeypatch):
    f = tmp_path / "m.npz"
    _fake_mnist(f)
    X, y, Xt, yt = datasets.load_mnist(f)
    assert X.shape == (20, 784) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1
    assert Xt.shape == (5, 784) and y.dtype == np.int64
    monkeypatch.setenv(datasets.MNIST_ENV, str(f))
    X2, *_ = datasets.load_mnist()
    np.testing.assert_array_equal(X, X2)
    X3, *_ = datasets.load_mnist(scale=False, dtype=np.float64)
    assert X3.max() > 1 and X3.dtype == np.float64
    # the checkout's shared copy is the last place looked at
    monkeypatch.delenv(datasets.MNIST_ENV)
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path / "empty"))
    monkeypatch.setattr(datasets, "CHECKOUT_MNIST", f)
    assert datasets.find_mnist() == f


def test_load_mnist_without_file_or_download(tmp_path, monkeypatch):
    monkeypatch.delenv(datasets.MNIST_ENV, raising=False)
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path))
    monkeypatch.setattr(datasets, "CHECKOUT_MNIST", tmp_path / "absent.npz")
    assert datasets.find_mnist() is None
    with pytest.raises(FileNotFoundError, match="MNIST"):
        datasets.load_mnist(download=False)
    with pytest.raises(FileNotFoundError):
        datasets.load_mnist(tmp_path / "missing.npz")


def test_load_mnist_fetches_and_caches(tmp_path, monkeypatch):
    """The fetch path, with fetch_openml replaced by a stand-in (no network in tests)."""
    import sklearn.datasets

    calls = []

    def fake_fetch(name, version, return_X_y, as_frame, data_home):
        calls.append((name, data_home))
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (70000, 784)).astype(float), np.arange(70000) % 10

    monkeypatch.delenv(datasets.MNIST_ENV, raising=False)
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path))
    monkeypatch.setattr(datasets, "CHECKOUT_MNIST", tmp_path / "absent.npz")
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake_fetch)
    X, y, Xt, yt = datasets.load_mnist()
    assert X.shape == (60000, 784) and Xt.shape == (10000, 784)
    assert (tmp_path / "mnist.npz").is_file()
    datasets.load_mnist()  # second call reads the cache
    assert len(calls) == 1 and calls[0][0] == "mnist_784"


def test_binarize_stochastic():
    X = np.full((2000, 3), [0.0, 0.3, 1.0], dtype=np.float32)
    B = datasets.binarize_stochastic(X, random_state=0)
    assert B.dtype == np.float32 and set(np.unique(B)) <= {0.0, 1.0}
    np.testing.assert_allclose(B.mean(0), [0.0, 0.3, 1.0], atol=0.04)
    np.testing.assert_array_equal(B, datasets.binarize_stochastic(X, random_state=0))


def test_digits_unit():
    X, y = datasets.load_digits_unit()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and X.max() == 1.0


def test_plotting_returns_axes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from deepbelief import RBM
    from deepbelief.plotting import plot_filters, plot_history, tile_images

    X, _ = datasets.load_digits_unit()
    rbm = RBM(n_components=9, n_iter=2, random_state=0).fit(X)
    fig, (a1, a2) = plt.subplots(1, 2)
    assert plot_filters(rbm.components_, ax=a1) is a1
    assert plot_history(rbm.history_, "reconstruction_error", ax=a2) is a2
    assert tile_images(rbm.components_).shape == (3 * 9 + 1, 3 * 9 + 1)
    plt.close(fig)


def test_cli_study_writes_report(tmp_path):
    from deepbelief.__main__ import main

    rc = main(["--depths", "1,3", "--methods", "sigmoid_normal,relu_he,dbn,sdae", "--optimizers",
               "momentum", "--epochs", "2", "--pretrain-epochs", "1", "--width", "16",
               "--budgets", "100,all", "--seeds", "0", "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    report = (tmp_path / "report.md").read_text()
    assert "| dbn | momentum |" in report and "| sdae | momentum |" in report
    assert "3 layers" in report
    assert "Label budget" in report
    assert "## Findings" in report and "## Step sizes chosen" in report
    for png in ("error_vs_depth.png", "grad_norms.png", "learning_curves.png",
                "rbm_filters_samples.png", "summary.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results["results"]) == 2 * 4
    assert {r["budget"] for r in results["label_budget"]} == {100, 1347}


def test_study_records_a_diverged_fit_instead_of_crashing():
    from deepbelief.experiments import StudyConfig, results_table, run_study
    from deepbelief.experiments.configs import METHODS

    def exploding(depth, cfg, optimizer, seed, dbn=None):
        from deepbelief import DeepNetClassifier

        return DeepNetClassifier((8,) * depth, activation="identity", solver="sgd",
                                 learning_rate_init=1e6, max_iter=3, random_state=seed)

    X, y = datasets.load_digits_unit()
    data = (X[:300] * 100, X[300:400] * 100, y[:300], y[300:400])
    METHODS["exploding"] = ("test only", exploding)
    try:
        results, _ = run_study(data, depths=(2,), methods=("exploding",),
                               optimizers=("momentum",), config=StudyConfig(epochs=3),
                               grid={"momentum": (1e6,)})
    finally:
        del METHODS["exploding"]
    assert results[0]["diverged"] and np.isnan(results[0]["test_error"])
    assert "diverged" in results_table(results)
