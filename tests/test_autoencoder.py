"""Autoencoders: gradients against finite differences, corruption, greedy stacking, estimators."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbelief import (
    StackedAutoencoder,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from deepbelief.math.autoencoder import (
    autoencoder_gradients,
    corrupt,
    encode,
    init_autoencoder,
    reconstruction_loss,
)
from deepbelief.training.autoencoder import AEConfig, greedy_autoencoders

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("activation, output", [("sigmoid", "sigmoid"), ("tanh", "identity"),
                                                ("relu", "identity"), ("sigmoid", "identity")])
def test_gradients_match_finite_differences(tied, activation, output):
    rng = np.random.default_rng(0)
    cfg = AEConfig(activation=activation, output=output, tied=tied, alpha=0.3)
    params = init_autoencoder(6, 4, cfg, rng)
    params["b"] += rng.normal(0, 0.3, 4)
    params["b_out"] += rng.normal(0, 0.3, 6)
    X = rng.random((9, 6))
    X_in = X * (rng.random((9, 6)) > 0.3)  # a corrupted input: encoder and target differ

    def objective():
        W2 = np.sum(params["W"] ** 2) + (np.sum(params["W_out"] ** 2) if not tied else 0)
        return reconstruction_loss(X, params, cfg, X_in) + 0.5 * cfg.alpha * W2

    grads, loss = autoencoder_gradients(params, X_in, X, cfg)
    assert loss == pytest.approx(reconstruction_loss(X, params, cfg, X_in))
    names = ["W", "b", "b_out"] + ([] if tied else ["W_out"])
    eps = 1e-6
    for name, g in zip(names, grads):
        flat, gflat = params[name].reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = objective()
            flat[i] = old - eps
            down = objective()
            flat[i] = old
            assert gflat[i] == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-7), (name, i)


def test_corruption_statistics():
    rng = np.random.default_rng(1)
    X = np.ones((200, 500), dtype=np.float32)
    masked = corrupt(X, "masking", 0.25, rng)
    assert masked.dtype == np.float32
    frac = 1 - masked.mean()
    assert abs(frac - 0.25) < 4 * np.sqrt(0.25 * 0.75 / X.size)  # binomial, 4 sigma
    noisy = corrupt(X, "gaussian", 0.5, rng) - X
    assert abs(noisy.std() - 0.5) < 0.01 and abs(noisy.mean()) < 0.01
    assert corrupt(X, "none", 0.5, rng) is X
    assert np.array_equal(X, np.ones_like(X))  # the input is never changed
    with pytest.raises(ValueError, match="corruption"):
        corrupt(X, "salt", 0.1, rng)


def test_greedy_stacking_trains_each_layer_on_the_codes_below(digits_split):
    X = digits_split[0].astype(np.float32)
    rng = np.random.default_rng(0)
    cfg = AEConfig(learning_rate=0.01, batch_size=50)
    before = reconstruction_loss(X, init_autoencoder(64, 32, cfg, np.random.default_rng(0),
                                                     np.float32), cfg)
    states = greedy_autoencoders(X, [32, 16], lambda layer: cfg, rng, 10)
    assert [s.params["W"].shape for s in states] == [(64, 32), (32, 16)]
    assert all(s.params["W"].dtype == np.float32 for s in states)
    assert states[0].history["loss"][-1] < before
    for s in states:
        assert s.history["loss"][-1] < s.history["loss"][0]
    codes = encode(states[0].params, X, "sigmoid")
    assert reconstruction_loss(codes, states[1].params, cfg) == pytest.approx(
        states[1].history["loss"][-1], rel=0.1)


def test_denoising_autoencoder_repairs_corrupted_inputs_better(digits_split):
    X_tr, X_te = digits_split[0], digits_split[1]
    noisy = corrupt(X_te, "masking", 0.4, np.random.default_rng(5))
    errs = {}
    for kind in ("none", "masking"):
        cfg = AEConfig(learning_rate=0.01, batch_size=20, corruption=kind, corruption_level=0.4)
        (state,) = greedy_autoencoders(X_tr, [64], lambda layer, c=cfg: c,
                                       np.random.default_rng(0), 30)
        errs[kind] = reconstruction_loss(X_te, state.params, cfg, noisy)
    assert errs["masking"] < errs["none"] - 1.0


# ---------------------------------------------------------------- estimators
def test_stacked_autoencoder_api(digits_split):
    X_tr, X_te = digits_split[0], digits_split[1]
    ae = StackedAutoencoder((32, 8), loss="cross_entropy", max_iter=20, random_state=0).fit(X_tr)
    assert len(ae.coefs_) == 4 and ae.coefs_[1].shape == (32, 8) and ae.coefs_[2].shape == (8, 32)
    H = ae.transform(X_te)
    assert H.shape == (len(X_te), 8) and np.all((H > 0) & (H < 1))
    np.testing.assert_allclose(ae.inverse_transform(H), ae.reconstruct(X_te), rtol=1e-6)
    R = ae.reconstruct(X_te)
    assert np.all((R > 0) & (R < 1))
    assert ae.score(X_te) == pytest.approx(-ae.reconstruction_error(X_te))
    assert len(ae.history_["grad_norms"][-1]) == 4
    assert ae.get_feature_names_out().shape == (8,)
    with pytest.raises(ValueError, match="shape"):
        ae.inverse_transform(np.zeros((3, 5)))


def test_unrolling_copies_the_pretrained_layers(digits_split):
    X = digits_split[0]
    ae = StackedAutoencoder((32, 8), loss="cross_entropy", max_iter=0, pretrain_n_iter=2,
                            random_state=0).fit(X)
    for i, (W, b, W_dec, b_dec) in enumerate(ae.pretrained_):
        np.testing.assert_array_equal(ae.coefs_[i], W)
        np.testing.assert_array_equal(ae.coefs_[3 - i], W.T)  # tied pretraining
        np.testing.assert_array_equal(ae.intercepts_[3 - i], b_dec)
    untied = StackedAutoencoder((32, 8), tied=False, max_iter=0, pretrain_n_iter=2,
                                random_state=0).fit(X)
    assert not np.allclose(untied.coefs_[3], untied.coefs_[0].T)


def test_fine_tuning_improves_on_pretraining_and_beats_pca(digits_split):
    X_tr, X_te = digits_split[0], digits_split[1]
    pca = PCA(8).fit(X_tr)
    pca_err = np.mean(np.sum((X_te - pca.inverse_transform(pca.transform(X_te))) ** 2, axis=1))
    params = dict(activation="relu", code_activation="identity", max_iter=150,
                  learning_rate_init=3e-3)
    for seed in (0, 1):
        ae = StackedAutoencoder((64, 8), random_state=seed, **params).fit(X_tr)
        start = StackedAutoencoder((64, 8), random_state=seed, **{**params, "max_iter": 0})
        start.fit(X_tr)
        assert ae.reconstruction_error(X_te) < start.reconstruction_error(X_te)
        assert ae.reconstruction_error(X_te) < pca_err


def test_rbm_pretraining_with_a_linear_code(digits_split):
    X_tr, X_te = digits_split[0], digits_split[1]
    ae = StackedAutoencoder((64, 8), pretrain="rbm", code_activation="identity",
                            loss="cross_entropy", pretrain_learning_rate=0.1, max_iter=30,
                            random_state=0).fit(X_tr)
    H = ae.transform(X_te)
    assert H.min() < 0 or H.max() > 1  # linear (Gaussian) code units
    W, b, W_dec, b_dec = ae.pretrained_[0]
    np.testing.assert_array_equal(W_dec, W.T)
    mean_err = np.mean(np.sum((X_te - X_tr.mean(0)) ** 2, axis=1))
    assert ae.reconstruction_error(X_te) < 0.7 * mean_err
    unrolled = StackedAutoencoder((64, 8), pretrain="rbm", code_activation="identity",
                                  loss="cross_entropy", pretrain_learning_rate=0.1, max_iter=0,
                                  random_state=0).fit(X_tr)
    assert ae.reconstruction_error(X_te) < unrolled.reconstruction_error(X_te)
    with pytest.raises(ValueError, match="activation='sigmoid'"):
        StackedAutoencoder((8,), pretrain="rbm", activation="relu").fit(X_tr)


def test_same_seed_same_model_and_float32(digits_split):
    X = digits_split[0].astype(np.float32)
    kw = dict(corruption="masking", max_iter=3, pretrain_n_iter=2, random_state=0)
    a, b = StackedAutoencoder((16, 4), **kw).fit(X), StackedAutoencoder((16, 4), **kw).fit(X)
    for wa, wb in zip(a.coefs_, b.coefs_):
        assert wa.dtype == np.float32
        np.testing.assert_array_equal(wa, wb)
    assert a.transform(X).dtype == np.float32


@pytest.mark.parametrize(
    "X, kw, error, match",
    [
        (np.full((10, 4), 2.0), dict(loss="cross_entropy"), ValueError, r"\[0, 1\]"),
        (np.array([[0.5, np.nan, 0, 1]] * 10), {}, ValueError, "NaN"),
        (np.zeros((0, 4)), {}, ValueError, "0 sample"),
        (sp.csr_matrix(np.eye(4)), {}, TypeError, "[Ss]parse"),
        (np.eye(4), dict(corruption="salt"), ValueError, "corruption"),
    ],
)
def test_bad_input(X, kw, error, match):
    with pytest.raises(error, match=match):
        StackedAutoencoder((3,), max_iter=1, **kw).fit(X)


def test_classifier_and_regressor(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    clf = StackedAutoencoderClassifier((64, 64), loss="cross_entropy", max_iter=30,
                                       random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.93
    assert len(clf.pretrained_) == 2 and len(clf.history_["grad_norms_init"]) == 3
    plain = StackedAutoencoderClassifier((64, 64), pretrain=False, init="normal", max_iter=30,
                                         random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > plain.score(X_te, y_te)  # pretraining beats N(0, 0.01^2)
    reg = StackedAutoencoderRegressor((32,), corruption="gaussian", corruption_level=0.1,
                                      solver="adam", learning_rate_init=0.01, max_iter=100,
                                      random_state=0).fit(X_tr, y_tr.astype(float))
    assert reg.score(X_te, y_te.astype(float)) > 0.5


def test_pipeline_and_grid_search(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    pipe = make_pipeline(StandardScaler(), StackedAutoencoderClassifier(
        (32,), pretrain_n_iter=3, max_iter=20, learning_rate_init=0.05, random_state=0))
    grid = GridSearchCV(pipe, {"stackedautoencoderclassifier__corruption_level": [0.1, 0.3]},
                        cv=2).fit(X_tr, y_tr)
    assert grid.best_score_ > 0.85
    feats = make_pipeline(StackedAutoencoder((32, 16), activation="relu", max_iter=30,
                                             random_state=0),
                          StackedAutoencoderClassifier((32,), max_iter=30, random_state=0))
    assert feats.fit(X_tr, y_tr).score(X_te, y_te) > 0.8


SMALL = dict(pretrain_n_iter=2, pretrain_batch_size=10, max_iter=100, batch_size=20,
             random_state=0)


@parametrize_with_checks([
    StackedAutoencoder((6, 2), **SMALL),
    StackedAutoencoder((4,), activation="relu", corruption="gaussian", tied=False,
                       code_activation="identity", **SMALL),
    StackedAutoencoderClassifier((8,), learning_rate_init=0.05, **SMALL),
    StackedAutoencoderRegressor((8,), learning_rate_init=0.01, **{**SMALL, "max_iter": 200}),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)
