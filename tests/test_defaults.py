"""Out of the box: the data-scaled budgets, the [0, 1] range rule in pipelines,
standardized regression targets, one-class fits, and the lab's claim at defaults."""


import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

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
from deepbelief.training import budget

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize("n, batch", [(1, 1), (9, 9), (150, 10), (1797, 17), (5000, 50),
                                      (60000, 100), (10**6, 100)])
def test_auto_batch_size(n, batch):
    assert budget.auto_batch_size(n) == batch


def test_auto_epochs_give_the_target_updates_within_bounds():
    for phase, (updates, low, high) in budget.PHASES.items():
        for n in (10, 150, 1797, 10_000, 60_000, 10**6):
            b = budget.auto_batch_size(n)
            e = budget.auto_epochs(n, b, phase)
            assert low <= e <= high
            per_epoch = -(-n // b)
            if low < e < high:  # not clipped: the fewest epochs reaching the target
                assert e * per_epoch >= updates > (e - 1) * per_epoch
    # small data gets more epochs than big data, big data no more than the lower bound
    assert budget.auto_epochs(150, 10, "finetune") > budget.auto_epochs(60000, 100, "finetune")
    assert budget.auto_epochs(60000, 100, "pretrain") == budget.PHASES["pretrain"][1]


def test_explicit_values_are_kept_and_batches_capped():
    assert budget.resolve(1797, 100, 7, "pretrain") == (100, 7)
    assert budget.resolve(20, 100, 7, "pretrain") == (20, 7)
    assert budget.auto_learning_rate("momentum", 100) == 0.1  # the MNIST recipes' step
    assert budget.auto_learning_rate("sgd", 10) == pytest.approx(0.01)
    assert budget.auto_patience(60000, 100) == 10 and budget.auto_patience(150, 10) == 34


X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = (X_DIGITS / 16).astype(np.float32)


@pytest.mark.parametrize("est, keys", [
    (RBM(n_components=8), {"batch_size", "n_iter", "learning_rate_schedule"}),
    (DBN((8, 4)), {"batch_size", "n_iter"}),
    (DBM((8, 4)), {"pretrain_batch_size", "pretrain_n_iter", "batch_size", "n_iter"}),
    (DBNClassifier((8,)), {"pretrain_batch_size", "pretrain_n_iter", "batch_size",
                           "learning_rate_init", "max_iter", "n_iter_no_change"}),
    (StackedAutoencoderClassifier((8,)), {"pretrain_batch_size", "pretrain_n_iter",
                                          "batch_size", "learning_rate_init", "max_iter",
                                          "n_iter_no_change"}),
    (StackedAutoencoder((8, 4)), {"pretrain_batch_size", "pretrain_n_iter", "batch_size",
                                  "learning_rate_init", "max_iter", "n_iter_no_change"}),
])
def test_every_pretraining_estimator_resolves_and_reports_its_budget(est, keys, capsys):
    X, y = X_DIGITS[:300], Y_DIGITS[:300]
    est.set_params(random_state=0, verbose=1)
    est.fit(X, y) if hasattr(est, "predict") else est.fit(X)
    assert set(est.resolved_params_) == keys
    b = budget.auto_batch_size(300)
    for key, value in est.resolved_params_.items():
        if key.endswith("batch_size"):
            assert value == b
        elif key.endswith("n_iter") or key == "max_iter":
            phase = ("finetune" if key == "max_iter" else
                     "joint" if key == "n_iter" and isinstance(est, DBM) else "pretrain")
            assert value == budget.auto_epochs(300, b, phase)
    out = capsys.readouterr().out
    assert out.startswith(f"[{type(est).__name__}] resolved ")
    assert f"batch_size={b}" in out.splitlines()[0]


def test_rbm_schedule_auto_decays_in_fit_only():
    """``learning_rate_schedule="auto"``: linear over fit's epochs, constant in partial_fit."""
    X = X_DIGITS[:300]
    rbm = RBM(n_components=8, n_iter=5, learning_rate=0.1, random_state=0).fit(X)
    assert rbm.resolved_params_["learning_rate_schedule"] == "linear"
    np.testing.assert_allclose(rbm.history_["learning_rate"], [0.1, 0.08, 0.06, 0.04, 0.02])
    online = RBM(n_components=8, n_iter=5, learning_rate=0.1, random_state=0)
    for _ in range(8):
        online.partial_fit(X)
    assert online.resolved_params_["learning_rate_schedule"] == "constant"
    assert online.history_["learning_rate"] == [0.1] * 8
    given = RBM(n_components=8, n_iter=3, learning_rate_schedule="constant", random_state=0)
    assert given.fit(X).history_["learning_rate"] == [0.1] * 3
    # the DBN's RBMs keep the classic constant step of the recipes
    assert DBN((8,), n_iter=2, random_state=0).fit(X).rbms_[0].learning_rate_schedule == \
        "constant"


def test_resolved_budget_is_what_trains():
    rbm = RBM(n_components=4, random_state=0).fit(X_DIGITS[:150])
    assert len(rbm.history_["epoch"]) == rbm.resolved_params_["n_iter"] == 30
    clf = DBNClassifier((8,), n_iter_no_change=1000, random_state=0).fit(X_DIGITS[:150],
                                                                         Y_DIGITS[:150])
    assert clf.n_iter_ == clf.resolved_params_["max_iter"] == 500
    assert [len(r.history_["epoch"]) for r in clf.dbn_rbms_] == [30]
    assert clf.get_params()["max_iter"] == "auto"  # the parameter itself is untouched


def test_recipes_with_explicit_values_train_as_before():
    """Explicit integers bypass the rule: same model as passing them before the rule."""
    kw = dict(hidden_layer_sizes=(8,), pretrain_n_iter=2, pretrain_batch_size=100,
              batch_size=100, max_iter=3, learning_rate_init=0.1, n_iter_no_change=10,
              random_state=0)
    clf = DBNClassifier(**kw).fit(X_DIGITS, Y_DIGITS)
    assert clf.resolved_params_ == {"pretrain_batch_size": 100, "pretrain_n_iter": 2,
                                    "batch_size": 100, "learning_rate_init": 0.1,
                                    "max_iter": 3, "n_iter_no_change": 10}


# ------------------------------------------------------------ the range rule
def test_rounding_past_one_is_accepted_and_clipped():
    X = X_DIGITS[:200].astype(np.float64)
    X_off = X + 1e-12 * (2 * X - 1)  # off [0, 1] by rounding, as MinMaxScaler's output can be
    assert X_off.max() > 1 and X_off.min() < 0
    for est in (RBM(n_components=4, n_iter=1, random_state=0), DBN((4,), n_iter=1, random_state=0),
                DBM((4, 4), pretrain_n_iter=1, n_iter=1, random_state=0)):
        a = est.fit(X_off).transform(X_off)
        np.testing.assert_allclose(a, est.transform(np.clip(X_off, 0, 1)))
        assert X_off.max() > 1  # the caller's array is not modified


@pytest.mark.parametrize("bad", [lambda X: (X - 0.5) * 4, lambda X: X * 255])
def test_plainly_out_of_range_data_is_an_error_at_fit(bad):
    X = bad(X_DIGITS[:100])
    for est in (RBM(n_iter=1), DBN((4,), n_iter=1), DBM((4, 4), n_iter=1),
                DBNClassifier((4,), visible="bernoulli", max_iter=1),
                DBMClassifier(DBM((4, 4), n_iter=1), max_iter=1)
                .set_params(dbm=DBM((4, 4), n_iter=1).fit(X_DIGITS[:100]))):
        with pytest.raises(ValueError, match=r"need data in \[0, 1\]"):
            est.fit(X, Y_DIGITS[:100]) if hasattr(est, "predict") else est.fit(X)


def test_held_out_rows_outside_the_training_range_are_clipped():
    X, y = X_DIGITS[:300], Y_DIGITS[:300]
    held_out = X[:50].copy()
    held_out[:3] = held_out[:3] * 1.5 - 0.2  # a few rows overshoot: clipped (issue 22 #9)
    for est in (RBM(n_components=4, n_iter=1, random_state=0), DBN((4,), n_iter=1, random_state=0)):
        est.fit(X)
        np.testing.assert_allclose(est.transform(held_out),
                                   est.transform(np.clip(held_out, 0, 1)))
    rbm = RBM(n_components=4, n_iter=1, random_state=0).fit(X)
    assert np.isfinite(rbm.score(held_out))
    clf = DBNClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(held_out),
                               clf.predict_proba(np.clip(held_out, 0, 1)))


@pytest.mark.parametrize("make", [
    lambda: DBNClassifier((16,), random_state=0),
    lambda: DBMClassifier(DBM((16, 16)), random_state=0),
])
def test_visible_auto_maps_any_real_input_onto_the_unit_interval(make):
    """An affine change of the features does not change what the net learns."""
    X, y = X_DIGITS[:400], Y_DIGITS[:400]
    Xs = MinMaxScaler().fit_transform(X).astype(np.float32)
    unit = make().fit(Xs, y)
    other = make().fit(Xs * 7 - 3, y)
    assert unit.input_scaling_ == "none" and other.input_scaling_ == "minmax"
    agree = np.mean(unit.predict(Xs) == other.predict(Xs * 7 - 3))
    assert agree > 0.97


SMALL = [
    DBNClassifier((16,), random_state=0),
    DBMClassifier(DBM((16, 16)), random_state=0),
    StackedAutoencoderClassifier((16,), random_state=0),
    DeepNetClassifier(random_state=0),
]


@pytest.mark.parametrize("scaler", [MinMaxScaler, StandardScaler])
@pytest.mark.parametrize("est", SMALL, ids=lambda e: type(e).__name__)
def test_classifiers_in_everyday_pipelines(est, scaler):
    X, y = load_iris(return_X_y=True)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(make_pipeline(scaler(), est), X.astype(np.float32), y, cv=cv,
                             error_score="raise")
    assert scores.mean() > 0.85


@pytest.mark.parametrize("scaler", [MinMaxScaler, StandardScaler])
@pytest.mark.parametrize("est", [DBNRegressor((16,), random_state=0),
                                 StackedAutoencoderRegressor((16,), random_state=0),
                                 DeepNetRegressor((16,), random_state=0)],
                         ids=lambda e: type(e).__name__)
def test_regressors_in_everyday_pipelines(est, scaler):
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    scores = cross_val_score(make_pipeline(scaler(), est), X, y, cv=3, error_score="raise")
    assert scores.mean() > 0.3  # MLPRegressor at its defaults: -0.65 (unscaled targets)


@pytest.mark.parametrize("est", [DBNRegressor((8,), max_iter=30, random_state=0),
                                 DeepNetRegressor((8,), max_iter=30, random_state=0)],
                         ids=lambda e: type(e).__name__)
def test_regressors_are_equivariant_to_the_target_scale(est):
    rng = np.random.default_rng(0)
    X = rng.random((200, 5)).astype(np.float32)
    y = X @ np.arange(1.0, 6.0)
    a = est.fit(X, y).predict(X)
    b = est.fit(X, 1000 * y + 5).predict(X)
    np.testing.assert_allclose(b, 1000 * a + 5, rtol=1e-3, atol=1e-2 * 1000)
    assert est.target_scale_.shape == (1,)


# ------------------------------------------------------------------ one class
@pytest.mark.parametrize("est", SMALL, ids=lambda e: type(e).__name__)
def test_one_class(est):
    X = X_DIGITS[:40]
    est.set_params(max_iter=3)
    est.fit(X, np.full(40, 7))
    np.testing.assert_array_equal(est.predict(X), 7)
    np.testing.assert_array_equal(est.predict_proba(X), np.ones((40, 1)))


# ------------------------------------------------------------ the lab's claim
def test_pretraining_rescues_the_deep_sigmoid_net_at_defaults():
    """DBN (100,)*6 with plain SGD at its default step reaches >= 0.95 on the digits;
    the same net from small random weights stays at chance at every step of the
    grid, because its gradients vanish layer by layer."""
    X_tr, X_te, y_tr, y_te = train_test_split(X_DIGITS, Y_DIGITS, test_size=0.25,
                                              stratify=Y_DIGITS, random_state=0)
    dbn = DBNClassifier((100,) * 6, solver="sgd", random_state=0).fit(X_tr, y_tr)
    assert dbn.score(X_te, y_te) >= 0.95
    g = dbn.history_["grad_norms_init"]
    assert min(g[:-1]) > 0.1 * max(g[:-1])  # flat across the hidden layers
    epochs = dbn.n_iter_  # the same number of fine-tuning epochs, no early stop
    for lr in (0.01, 0.1, 1.0, 3.0):
        net = DeepNetClassifier((100,) * 6, activation="sigmoid", init="normal", solver="sgd",
                                learning_rate_init=lr, max_iter=epochs, n_iter_no_change=epochs,
                                random_state=0).fit(X_tr, y_tr)
        assert net.score(X_te, y_te) < 0.2, lr
        g = net.history_["grad_norms_init"]
        assert g[0] < 1e-6 * g[-1]  # the input layer's gradient vanished
        decay = (np.log(g[-2]) - np.log(g[0])) / (len(g) - 2)
        assert decay > np.log(10)  # more than 10x a layer (sigmoid' <= 0.25, small weights)


# ------------------------------------------------------------------ the published panel
def test_published_panel_is_the_json(monkeypatch):
    """README's table and docs/defaults_panel.inc quote the committed panel JSON."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "benchmarks"))  # its helpers (_record)
    spec = importlib.util.spec_from_file_location("bench_defaults",
                                                  root / "benchmarks" / "bench_defaults.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    reports = []
    for scaler in sorted(bench.SCALERS):
        path = root / "benchmarks" / "results" / f"defaults_{scaler}.json"
        reports.append({**json.loads(path.read_text()), "json": str(path.relative_to(root))})
    assert (root / "docs" / "defaults_panel.inc").read_text() == bench.render_rst(reports) + "\n"

    readme = (root / "README.md").read_text()
    cells = {(c["data"], c["estimator"]): c["score"] for c in reports[0]["cells"]}
    names = {"mnist10k": "MNIST, 10,000 images", "diabetes": "diabetes (R²)"}
    for data in dict.fromkeys(d for d, _ in cells):
        row = next(line for line in readme.splitlines()
                   if line.startswith(f"| {names.get(data, data)} |"))
        quoted = [float(v) for v in row.strip("|").split("|")[1:] if v.strip()]
        scores = [cells[k] for k in cells if k[0] == data]
        np.testing.assert_allclose(quoted, scores, atol=6e-4 if data == "diabetes" else 6e-5)


def test_tiny_data_cross_validates_in_a_minmax_pipeline():
    """20 rows, 5 folds: each held-out row leaves the range of 16 training rows
    on many features (by a little), which the range rule clips."""
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 8))
    y = (X[:, 0] > 0).astype(int)
    scores = cross_val_score(make_pipeline(MinMaxScaler(), DBNClassifier(random_state=0)), X, y,
                             cv=5, error_score="raise")
    assert np.isfinite(scores).all()
