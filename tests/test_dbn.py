"""DBN transformer and DBN-pretrained estimators."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from deepbelief import DBN, RBM, DBNClassifier, DBNRegressor, DeepNetClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_dbn_layers_are_rbms_trained_on_the_layer_below(digits_split):
    X = digits_split[0]
    dbn = DBN(hidden_layer_sizes=(32, 16), n_iter=3, propagate="probabilities",
              random_state=0).fit(X)
    assert [r.n_components for r in dbn.rbms_] == [32, 16]
    assert dbn.rbms_[1].n_features_in_ == 32
    # the second RBM is exactly an RBM fitted on the first one's probabilities
    again = RBM(**dbn.rbms_[1].get_params()).fit(dbn.rbms_[0].transform(X))
    np.testing.assert_allclose(again.components_, dbn.rbms_[1].components_)
    H = dbn.transform(X)
    np.testing.assert_allclose(H, dbn.rbms_[1].transform(dbn.rbms_[0].transform(X)))
    assert H.shape == (len(X), 16) and H.dtype == X.dtype
    R = dbn.inverse_transform(H)
    assert R.shape == X.shape and np.all((R >= 0) & (R <= 1))


def test_dbn_sample(digits_split):
    dbn = DBN(hidden_layer_sizes=(32, 16), n_iter=3, random_state=0).fit(digits_split[0])
    S = dbn.sample(5, n_steps=10, random_state=0)
    assert S.shape == (5, 64) and np.all((S >= 0) & (S <= 1))
    np.testing.assert_array_equal(S, dbn.sample(5, n_steps=10, random_state=0))


def test_dbn_rejects_out_of_range_and_names_features(digits_split):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        DBN(n_iter=1).fit(digits_split[0] * 16)
    dbn = DBN(hidden_layer_sizes=(8,), n_iter=1).fit(digits_split[0])
    assert list(dbn.get_feature_names_out()) == [f"dbn{i}" for i in range(8)]


def test_pretraining_sets_initial_weights(digits_split):
    X_tr, _, y_tr, _ = digits_split
    clf = DBNClassifier(hidden_layer_sizes=(32, 32), pretrain_n_iter=3, max_iter=0,
                        random_state=0).fit(X_tr, y_tr)
    for rbm, W, b in zip(clf.dbn_rbms_, clf.coefs_, clf.intercepts_):
        np.testing.assert_array_equal(W, rbm.components_.T)
        np.testing.assert_array_equal(b, rbm.intercept_hidden_)


def test_pretraining_rescues_deep_sigmoid_net(digits_split):
    """The mission in one test: same net, same fine-tuning budget, with and without pretraining."""
    X_tr, X_te, y_tr, y_te = digits_split
    kw = dict(hidden_layer_sizes=(100,) * 4, learning_rate_init=0.1, max_iter=15,
              batch_size=10, random_state=0)
    pre = DBNClassifier(pretrain_n_iter=20, pretrain_batch_size=10, pretrain_learning_rate=0.1,
                        **kw).fit(X_tr, y_tr)
    rand = DBNClassifier(pretrain=False, init="normal", **kw).fit(X_tr, y_tr)
    assert rand.score(X_te, y_te) < 0.3
    assert pre.score(X_te, y_te) > 0.93
    # gradients reach the bottom layers after pretraining, not without
    gp, gr = np.array(pre.history_["grad_norms_init"]), np.array(rand.history_["grad_norms_init"])
    assert gp[0] / gp[-1] > 100 * gr[0] / gr[-1]


def test_dbn_regressor():
    rng = np.random.default_rng(0)
    X = rng.random((1500, 8))
    y = np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2] - X[:, 3] ** 2
    reg = DBNRegressor(hidden_layer_sizes=(64,), pretrain_n_iter=5, pretrain_batch_size=20,
                       solver="adam", learning_rate_init=0.02, batch_size=20, max_iter=200,
                       random_state=0).fit(X[:1000], y[:1000])
    assert reg.score(X[1000:], y[1000:]) > 0.9


def test_dbn_classifier_pipeline_and_grid_search(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    pipe = Pipeline([("scale", MinMaxScaler()),
                     ("dbn", DBNClassifier(hidden_layer_sizes=(32,), pretrain_n_iter=5,
                                           pretrain_batch_size=10, batch_size=10, max_iter=10,
                                           random_state=0))])
    grid = GridSearchCV(pipe, {"dbn__hidden_layer_sizes": [(32,), (64,)]}, cv=2).fit(X_tr, y_tr)
    assert grid.best_score_ > 0.85 and grid.score(X_te, y_te) > 0.85


def test_dbn_float32_end_to_end(digits_split):
    X_tr, _, y_tr, _ = digits_split
    clf = DBNClassifier(hidden_layer_sizes=(16,), pretrain_n_iter=1, max_iter=2,
                        random_state=0).fit(X_tr.astype(np.float32), y_tr)
    assert all(w.dtype == np.float32 for w in clf.coefs_)
    assert clf.predict_proba(X_tr.astype(np.float32)).dtype == np.float32


def test_dbn_classifier_with_bernoulli_units_rejects_out_of_range(digits_split):
    X_tr, _, y_tr, _ = digits_split
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        DBNClassifier(hidden_layer_sizes=(8,), visible="bernoulli",
                      pretrain_n_iter=1).fit(X_tr * 16, y_tr)
    # Gaussian visible units take any real data
    DBNClassifier(hidden_layer_sizes=(8,), visible="gaussian", pretrain_n_iter=1,
                  max_iter=1).fit(X_tr * 16, y_tr)


def test_same_seed_same_model(digits_split):
    X_tr, _, y_tr, _ = digits_split
    kw = dict(hidden_layer_sizes=(16,), pretrain_n_iter=2, max_iter=2, random_state=3)
    a, b = DBNClassifier(**kw).fit(X_tr, y_tr), DBNClassifier(**kw).fit(X_tr, y_tr)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert isinstance(a, DBNClassifier) and not isinstance(a, DeepNetClassifier)


def test_given_dbn_initialises_the_first_layers(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    stack = DBN(hidden_layer_sizes=(32, 16, 8), n_iter=3, batch_size=20, random_state=0).fit(X_tr)
    before = stack.rbms_[0].components_.copy()
    clf = DBNClassifier(hidden_layer_sizes=(32, 16), dbn=stack, max_iter=3, random_state=0)
    clf.fit(X_tr[:200], y_tr[:200])  # few labels, features learnt from all rows
    np.testing.assert_array_equal(stack.rbms_[0].components_, before)  # not modified
    assert clf.dbn_rbms_[1] is stack.rbms_[1]
    with pytest.raises(ValueError, match="first layers"):
        DBNClassifier(hidden_layer_sizes=(16,), dbn=stack).fit(X_tr, y_tr)


def test_sampled_propagation_keeps_deep_features_alive(digits_split):
    """Probabilities fade toward constants up a deep stack; binary samples do not."""
    X = digits_split[0]
    kw = dict(hidden_layer_sizes=(50,) * 6, n_iter=10, batch_size=10, learning_rate=0.05,
              method="pcd", random_state=0)
    top = {p: DBN(propagate=p, **kw).fit(X).transform(X).std(axis=0).mean()
           for p in ("samples", "probabilities")}
    assert top["samples"] > 0.05
    assert top["samples"] > 10 * top["probabilities"]
    with pytest.raises(ValueError, match="propagate"):
        DBN(propagate="means").fit(X)


def test_given_dbn_survives_clone_and_grid_search(digits_split):
    from sklearn.base import clone

    X_tr, X_te, y_tr, y_te = digits_split
    stack = DBN(hidden_layer_sizes=(32,), n_iter=2, batch_size=20, random_state=0)
    clf = DBNClassifier(hidden_layer_sizes=(32,), dbn=stack.fit(X_tr), max_iter=3,
                        random_state=0)
    copy = clone(clf)  # the copy holds an unfitted DBN: it pretrains on its own data
    assert not hasattr(copy.dbn, "rbms_")
    copy.fit(X_tr, y_tr)
    assert copy.dbn_rbms_[0] is not stack.rbms_[0]
    grid = GridSearchCV(clf, {"max_iter": [2, 4]}, cv=2).fit(X_tr, y_tr)
    assert grid.best_score_ > 0.5


@pytest.mark.parametrize("solver", ["momentum", "adam"])
def test_output_only_epochs_freeze_the_pretrained_layers(digits_split, solver):
    X_tr, _, y_tr, _ = digits_split
    kw = dict(hidden_layer_sizes=(32, 16), pretrain_n_iter=2, alpha=1e-2, solver=solver,
              learning_rate_init=0.01 if solver == "adam" else 0.1, batch_size=100,
              random_state=0)
    start = DBNClassifier(max_iter=0, **kw).fit(X_tr, y_tr)
    frozen = DBNClassifier(max_iter=3, n_iter_output_only=3, **kw).fit(X_tr, y_tr)
    for key in ("coefs_", "intercepts_"):  # no step and no weight decay below the output
        for a, b in zip(getattr(start, key)[:-1], getattr(frozen, key)[:-1]):
            np.testing.assert_array_equal(a, b)
    assert not np.allclose(start.coefs_[-1], frozen.coefs_[-1])
    assert frozen.loss_curve_[-1] < frozen.loss_curve_[0]  # the output layer learns
    after = DBNClassifier(max_iter=4, n_iter_output_only=3, **kw).fit(X_tr, y_tr)
    assert not np.allclose(start.coefs_[0], after.coefs_[0])  # then every layer does
    with pytest.raises(ValueError, match="n_iter_output_only"):
        DBNClassifier(n_iter_output_only=-1, **kw).fit(X_tr, y_tr)


def test_adam_starts_afresh_on_the_layers_it_unfreezes(digits_split):
    """After the output-only epochs, Adam's first step on a pretrained layer is a
    first step (lr * sign(g)), not one bias-corrected with the output layer's count."""
    X_tr, _, y_tr, _ = digits_split
    kw = dict(hidden_layer_sizes=(16,), pretrain_n_iter=2, solver="adam", alpha=0.0,
              learning_rate_init=1e-3, batch_size=X_tr.shape[0], n_iter_output_only=20,
              n_iter_no_change=100, random_state=0)
    frozen = DBNClassifier(max_iter=20, **kw).fit(X_tr, y_tr)
    after = DBNClassifier(max_iter=21, **kw).fit(X_tr, y_tr)
    step = np.abs(after.coefs_[0] - frozen.coefs_[0])
    moved = step[step > 0]
    assert moved.size > step.size // 2
    # |step| = lr |g| / (|g| + eps): lr wherever the gradient is not tiny
    np.testing.assert_allclose(np.median(moved), 1e-3, rtol=1e-3)
    assert moved.max() <= 1e-3 * (1 + 1e-5)


def test_dynamic_binarization_reaches_the_bottom_rbm_only(monkeypatch, digits_split):
    """The first RBM trains on fresh binary draws of each minibatch, the RBMs above
    on what the layer below passes up; the estimator nets pass it on too."""
    import deepbelief.training.contrastive_divergence as tr

    seen = []
    cd_step = tr._batch_step

    def cd_spy(state, cfg, buf, lr, rng, optimizer):
        seen.append((state.W.shape[0], buf.V2[: buf.V2.shape[0] // 2].copy()))
        return cd_step(state, cfg, buf, lr, rng, optimizer)

    monkeypatch.setattr(tr, "_batch_step", cd_spy)
    X = np.full((40, 10), 0.4)
    X[:, 0] = 1.0
    params = dict(hidden_layer_sizes=(6, 5), n_iter=4, batch_size=40, random_state=0)
    dbn = DBN(**params, dynamic_binarization=True).fit(X)
    assert [r.dynamic_binarization for r in dbn.rbms_] == [True, False]
    bottom = np.stack([v for d, v in seen if d == 10])
    above = np.stack([v for d, v in seen if d == 6])
    assert set(np.unique(bottom)) == {0.0, 1.0} and np.all(bottom[:, :, 0] == 1)
    assert not np.array_equal(bottom[0], bottom[1])  # a fresh draw per minibatch
    rest = bottom[:, :, 1:]
    assert abs(rest.mean() - 0.4) < 5 * np.sqrt(0.24 / rest.size)
    # above: the same rows every epoch (reordered), no fresh draws
    np.testing.assert_array_equal(np.sort(above[0], axis=0), np.sort(above[-1], axis=0))
    np.testing.assert_array_equal(X[:, 1:], 0.4)  # the data are left as given
    seen.clear()
    DBN(**params).fit(X)
    np.testing.assert_array_equal(seen[0][1], X)  # off: the data as given

    X_tr, _, y_tr, _ = digits_split
    net = dict(hidden_layer_sizes=(32,), pretrain_n_iter=2, max_iter=2, random_state=0)
    a = DBNClassifier(**net, dynamic_binarization=True).fit(X_tr, y_tr)
    b = DBNClassifier(**net, dynamic_binarization=True).fit(X_tr, y_tr)
    c = DBNClassifier(**net).fit(X_tr, y_tr)
    assert a.dbn_rbms_[0].dynamic_binarization
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_dynamic_binarization_needs_bernoulli_units():
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match="dynamic_binarization.*bernoulli"):
        DBN((3,), visible="gaussian", dynamic_binarization=True).fit(X)
    with pytest.raises(ValueError, match="dynamic_binarization.*bernoulli"):
        DBNRegressor((3,), visible="gaussian", dynamic_binarization=True).fit(X, X[:, 0])


def test_max_norm_leaves_frozen_layers_alone(digits_split):
    """In the output-only epochs the max-norm projection, like the step, touches
    only the output layer; afterwards it bounds every layer."""
    X_tr, _, y_tr, _ = digits_split
    kw = dict(hidden_layer_sizes=(32,), pretrain_n_iter=2, random_state=0)
    start = DBNClassifier(max_iter=0, **kw).fit(X_tr, y_tr)
    c = 0.5 * np.linalg.norm(start.coefs_[0], axis=0).min()  # every pretrained column is longer
    frozen = DBNClassifier(max_iter=2, n_iter_output_only=2, max_norm=c, **kw).fit(X_tr, y_tr)
    np.testing.assert_array_equal(frozen.coefs_[0], start.coefs_[0])
    assert np.linalg.norm(frozen.coefs_[-1], axis=0).max() <= c * (1 + 1e-5)
    after = DBNClassifier(max_iter=3, n_iter_output_only=2, max_norm=c, **kw).fit(X_tr, y_tr)
    norms = np.linalg.norm(after.coefs_[0], axis=0)
    assert norms.max() <= c * (1 + 1e-5) and np.median(norms) == pytest.approx(c, rel=1e-4)


def test_partial_fit_trains_every_layer_on_each_block():
    """Layer 1 learns as its RBM's own partial_fit over the same blocks; the
    layers above on what the (updated) layer below passes up."""
    from sklearn.base import clone

    Xb = (np.random.default_rng(0).random((120, 8)) > 0.5).astype(np.float64)
    blocks = np.array_split(Xb, 4)
    dbn = DBN((5, 3), random_state=0)
    for block in blocks:
        dbn.partial_fit(block)
    assert [len(r.history_["seconds"]) for r in dbn.rbms_] == [4, 4]
    first = clone(dbn.rbms_[0])
    for block in blocks:
        first.partial_fit(block)
    np.testing.assert_array_equal(first.components_, dbn.rbms_[0].components_)
    assert dbn.transform(Xb).shape == (120, 3) and np.isfinite(dbn.score(Xb))
    with pytest.raises(ValueError, match="hidden layer widths"):
        dbn.set_params(hidden_layer_sizes=(5, 4)).partial_fit(blocks[0])
    assert [r.n_components for r in dbn.rbms_] == [5, 3]


def test_the_dbn_nets_transform_to_their_top_hidden_layer():
    """``transform`` is the fine-tuned net's top hidden layer: the sigmoid
    layers recomputed by hand from ``coefs_``."""
    from sklearn.pipeline import make_pipeline

    from deepbelief import DBM, DBMClassifier, DBNClassifier, DBNRegressor

    X = np.random.default_rng(0).random((60, 8))
    y = np.arange(60) % 3
    for est in (DBNClassifier((6, 4), pretrain_n_iter=2, max_iter=3, random_state=0),
                DBNRegressor((6, 4), pretrain_n_iter=2, max_iter=3, random_state=0),
                DBMClassifier(DBM((6, 4), pretrain_n_iter=1, n_iter=1, random_state=0),
                              max_iter=3, random_state=0)):
        est.fit(X, y.astype(float) if isinstance(est, DBNRegressor) else y)
        H = est.transform(X)
        if not isinstance(est, DBMClassifier):  # (its input carries mean-field features too)
            a = X
            for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
                a = 1 / (1 + np.exp(-(a @ W + b)))
            np.testing.assert_allclose(H, a, rtol=1e-5)
        out = H @ est.coefs_[-1] + est.intercepts_[-1]  # what the output layer reads
        if not isinstance(est, DBNRegressor):
            P = np.exp(out - out.max(axis=1, keepdims=True))
            np.testing.assert_allclose(est.predict_proba(X), P / P.sum(axis=1, keepdims=True),
                                       rtol=1e-5)
    # a feature step of a pipeline
    pipe = make_pipeline(DBNClassifier((6,), pretrain_n_iter=2, max_iter=3, random_state=0),
                         DBNClassifier((4,), pretrain_n_iter=2, max_iter=3, random_state=0))
    assert pipe.fit(X, y).predict(X).shape == (60,)
