"""The RBM estimator: API, likelihood, determinism, dtypes, bad input."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline

from deepbelief import RBM
from deepbelief.datasets import binarize_stochastic, load_digits_unit
from deepbelief.errors import TrainingDivergedError
from deepbelief.math import energy


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_unit()
    return X, y


@pytest.fixture(scope="module")
def binary_digits(digits):
    return binarize_stochastic(digits[0], random_state=0)


def fit_small(X, **kw):
    params = dict(n_components=16, n_iter=5, batch_size=20, learning_rate=0.05, random_state=0)
    params.update(kw)
    return RBM(**params).fit(X)


def test_attributes_match_bernoulli_rbm(digits):
    X, _ = digits
    ours = fit_small(X)
    theirs = BernoulliRBM(n_components=16, n_iter=1, random_state=0).fit(X)
    for name in ("components_", "intercept_hidden_", "intercept_visible_"):
        assert getattr(ours, name).shape == getattr(theirs, name).shape
    assert ours.n_features_in_ == 64
    assert ours.transform(X).shape == theirs.transform(X).shape
    # the same parameter names are accepted
    common = set(BernoulliRBM().get_params()) & set(RBM().get_params())
    assert common == {"n_components", "learning_rate", "batch_size", "n_iter", "verbose",
                      "random_state"}


def test_transform_is_hidden_probability(digits):
    X, _ = digits
    rbm = fit_small(X)
    W, c = rbm.components_.T, rbm.intercept_hidden_
    np.testing.assert_allclose(rbm.transform(X[:5]), 1 / (1 + np.exp(-(X[:5] @ W + c))),
                               rtol=1e-5)
    R = rbm.reconstruct(X[:5])
    assert R.shape == (5, 64) and np.all((R >= 0) & (R <= 1))
    np.testing.assert_allclose(R, rbm.inverse_transform(rbm.transform(X[:5])))


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_score_samples_is_exact_log_likelihood_for_small_models(visible):
    rng = np.random.default_rng(0)
    if visible == "bernoulli":
        X = (rng.random((200, 10)) < 0.3) * 1.0
    else:
        X = rng.normal(size=(200, 10))
    rbm = RBM(n_components=6, n_iter=10, batch_size=20, learning_rate=0.05, visible=visible,
              random_state=0).fit(X)
    if visible == "bernoulli":
        # exact probabilities of all 2**10 states sum to one
        states = energy.all_binary_states(10)
        assert logsumexp(rbm.score_samples(states)) == pytest.approx(0.0, abs=1e-8)
    log_z = rbm.log_partition("exact")
    np.testing.assert_allclose(rbm.score_samples(X), -rbm.free_energy(X) - log_z)
    assert rbm.score(X) == pytest.approx(np.mean(rbm.score_samples(X)))


def test_score_samples_uses_ais_for_large_models_and_is_deterministic(binary_digits):
    rbm = fit_small(binary_digits, n_components=30, ais_chains=20, ais_betas=500)
    first = rbm.score_samples(binary_digits[:50])
    second = rbm.score_samples(binary_digits[:50])
    np.testing.assert_array_equal(first, second)
    log_z, (low, high) = rbm.log_partition(return_bounds=True)
    assert low <= log_z <= high and low < high
    # AIS agrees with exact enumeration (30 hidden > 20, but 2**30 is too many:
    # compare AIS on a model whose hidden layer we can enumerate instead)
    small = fit_small(binary_digits, n_components=12, ais_chains=100, ais_betas=3000)
    exact = small.log_partition("exact")
    assert abs(small.log_partition("ais") - exact) < 0.1


def test_score_cache_follows_parameter_changes(binary_digits):
    rbm = fit_small(binary_digits, n_components=8)
    s1 = rbm.score(binary_digits)
    rbm.partial_fit(binary_digits)
    assert rbm.score(binary_digits) != s1
    rbm.intercept_visible_ = rbm.intercept_visible_ + 1.0  # user edit
    assert rbm.score(binary_digits) == pytest.approx(
        np.mean(-rbm.free_energy(binary_digits)) - rbm.log_partition("exact")
    )


def test_pseudo_log_likelihood_is_exact_sum(binary_digits):
    rbm = fit_small(binary_digits, n_components=8)
    X = binary_digits[:20]
    W, b, c = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
    pll = rbm.pseudo_log_likelihood(X)
    assert pll.shape == (20,)
    np.testing.assert_allclose(pll, energy.pseudo_log_likelihood(X, W, b, c), rtol=1e-5)
    # a pseudo-likelihood is not the likelihood, but bounds it from above on average here
    assert np.all(pll < 0)
    with pytest.raises(ValueError, match="Bernoulli"):
        RBM(visible="gaussian", n_components=4, n_iter=1).fit(X).pseudo_log_likelihood(X)


def test_same_seed_same_model_different_seed_different(binary_digits):
    a = fit_small(binary_digits, random_state=3)
    b = fit_small(binary_digits, random_state=3)
    c = fit_small(binary_digits, random_state=4)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.gibbs(binary_digits[:5]), b.gibbs(binary_digits[:5]))
    np.testing.assert_array_equal(a.sample(3, n_steps=5), b.sample(3, n_steps=5))
    assert not np.allclose(a.components_, c.components_)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved_end_to_end(binary_digits, dtype):
    X = binary_digits.astype(dtype)
    rbm = fit_small(X)
    for attr in ("components_", "intercept_hidden_", "intercept_visible_"):
        assert getattr(rbm, attr).dtype == dtype
    assert rbm.transform(X).dtype == dtype
    assert rbm.gibbs(X[:3]).dtype == dtype
    assert rbm.sample(2, n_steps=2).dtype == dtype
    assert rbm.free_energy(X).dtype == dtype


def test_float32_and_float64_fits_agree(binary_digits):
    """Same seed, both dtypes: the sampling streams differ, the models agree statistically."""
    X64 = binary_digits.astype(np.float64)
    X32 = binary_digits.astype(np.float32)
    r64 = fit_small(X64, n_components=12, n_iter=15, method="cd")
    r32 = fit_small(X32, n_components=12, n_iter=15, method="cd")
    ll64, ll32 = r64.score(X64), r32.score(X32)
    assert abs(ll64 - ll32) < 0.5, (ll64, ll32)
    # deterministic parts agree to float32 precision given the same parameters
    r32.components_ = r64.components_.astype(np.float32)
    r32.intercept_hidden_ = r64.intercept_hidden_.astype(np.float32)
    np.testing.assert_allclose(r32.transform(X32), r64.transform(X64), rtol=1e-5, atol=1e-6)


def test_sparse_input_gives_the_same_model(binary_digits):
    dense = fit_small(binary_digits)
    sparse = fit_small(sp.csr_matrix(binary_digits))
    np.testing.assert_allclose(dense.components_, sparse.components_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dense.transform(binary_digits),
                               sparse.transform(sp.csr_matrix(binary_digits)), rtol=1e-5)
    np.testing.assert_allclose(dense.score_samples(binary_digits[:10]),
                               sparse.score_samples(sp.csr_matrix(binary_digits[:10])), rtol=1e-5)


def test_sparse_rejected_for_gaussian_units(digits):
    with pytest.raises(TypeError, match="[Ss]parse"):
        RBM(visible="gaussian", n_iter=1).fit(sp.csr_matrix(digits[0]))


def test_partial_fit_and_warm_start(binary_digits):
    rbm = RBM(n_components=8, batch_size=20, random_state=0)
    for _ in range(3):
        rbm.partial_fit(binary_digits)
    assert len(rbm.history_["reconstruction_error"]) == 3
    warm = fit_small(binary_digits, warm_start=True, n_iter=2)
    W_before = warm.components_.copy()
    warm.fit(binary_digits)
    assert warm.history_["epoch"] == [1, 2, 3, 4]
    assert not np.allclose(W_before, warm.components_)
    cold = fit_small(binary_digits, n_iter=2)
    cold.fit(binary_digits)
    assert cold.history_["epoch"] == [1, 2]


def test_history_records_learning(binary_digits):
    rbm = fit_small(binary_digits, n_iter=10)
    h = rbm.history_
    assert set(h) >= {"epoch", "seconds", "reconstruction_error", "pseudo_log_likelihood",
                      "free_energy", "learning_rate"}
    assert h["reconstruction_error"][-1] < h["reconstruction_error"][0]
    assert all(s > 0 for s in h["seconds"])


def test_learning_rate_schedule(binary_digits):
    rbm = fit_small(binary_digits, n_iter=4, learning_rate_schedule="linear", learning_rate=0.1)
    np.testing.assert_allclose(rbm.history_["learning_rate"], [0.1, 0.075, 0.05, 0.025])


def test_sparsity_target_lowers_mean_activation(binary_digits):
    free = fit_small(binary_digits, n_iter=10)
    sparse = fit_small(binary_digits, n_iter=10, sparsity_target=0.05, sparsity_cost=1.0)
    assert sparse.transform(binary_digits).mean() < free.transform(binary_digits).mean()


def test_training_improves_likelihood_over_initialisation(binary_digits):
    X_train, X_test = train_test_split(binary_digits, test_size=0.3, random_state=0)
    # n_iter=0 leaves the initial model: tiny weights, visible biases at the data's
    # log-odds, i.e. (almost) the best model of independent pixels
    untrained = RBM(n_components=12, n_iter=0, random_state=0).fit(X_train)
    trained = RBM(n_components=12, n_iter=20, batch_size=20, learning_rate=0.05, method="cd",
                  momentum=0.5, random_state=0).fit(X_train)
    assert trained.score(X_test) > untrained.score(X_test) + 2


def test_gaussian_units_on_standardized_data(digits):
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(digits[0])
    rbm = RBM(visible="gaussian", n_components=12, n_iter=10, learning_rate=0.005,
              batch_size=20, random_state=0).fit(X)
    err = rbm.history_["reconstruction_error"]
    assert err[-1] < err[0]
    log_z = rbm.log_partition("exact")
    assert np.isfinite(log_z)
    assert np.isfinite(rbm.score(X))


def test_sample_and_gibbs(binary_digits):
    rbm = fit_small(binary_digits, n_iter=10)
    S = rbm.sample(7, n_steps=20, random_state=1)
    assert S.shape == (7, 64) and set(np.unique(S)) <= {0.0, 1.0}
    P = rbm.sample(7, n_steps=20, random_state=1, probabilities=True)
    assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_array_equal(rbm.sample(7, n_steps=20, random_state=1), S)
    G = rbm.gibbs(binary_digits[:4], n_steps=3)
    assert G.shape == (4, 64)


def test_pipeline_and_grid_search(digits):
    X, y = digits
    pipe = Pipeline([("rbm", RBM(n_iter=5, batch_size=20, learning_rate=0.05, random_state=0)),
                     ("clf", LogisticRegression(C=100, max_iter=2000))])
    search = GridSearchCV(pipe, {"rbm__n_components": [16, 64]}, cv=2,
                          error_score="raise").fit(X, y)
    # 64 features carry more than 16: the search must see it
    assert search.best_params_["rbm__n_components"] == 64
    assert search.best_estimator_.named_steps["rbm"].components_.shape == (64, 64)
    assert search.best_score_ > 0.75


def test_set_output_pandas(digits):
    pytest.importorskip("pandas")
    rbm = fit_small(digits[0]).set_output(transform="pandas")
    out = rbm.transform(digits[0][:3])
    assert list(out.columns) == [f"rbm{i}" for i in range(16)]


def test_pickle_round_trip_then_keep_training(binary_digits):
    rbm = fit_small(binary_digits)
    clone_ = pickle.loads(pickle.dumps(rbm))
    np.testing.assert_array_equal(clone_.transform(binary_digits), rbm.transform(binary_digits))
    clone_.partial_fit(binary_digits)
    assert not np.allclose(clone_.components_, rbm.components_)
    assert clone(rbm).get_params() == rbm.get_params()


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((5, 3), np.nan), "NaN"),
        (np.full((5, 3), np.inf), "infinity"),
        (np.array([[0.2, 1.5], [0.1, 0.3]]), r"\[0, 1\]"),
        (np.array([[-0.2, 0.5], [0.1, 0.3]]), r"\[0, 1\]"),
        (np.ones(5), "2D"),
        (np.ones((2, 3, 4)), "dim"),
        (np.ones((0, 4)), "0 sample"),
        (np.ones((4, 0)), "0 feature"),
    ],
)
def test_bad_input_is_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        RBM(n_iter=1).fit(X)


def test_wrong_n_features_at_transform(binary_digits):
    rbm = fit_small(binary_digits)
    for method in (rbm.transform, rbm.score_samples, rbm.free_energy, rbm.gibbs):
        with pytest.raises(ValueError, match="features"):
            method(binary_digits[:, :10])
    with pytest.raises(ValueError, match="shape"):
        rbm.inverse_transform(np.ones((2, 3)))
    # after fitting, Bernoulli units read data clipped into [0, 1] (held-out rows
    # scaled with training statistics lie a little outside on a few values)
    over = binary_digits[:50].copy()
    over[:3] = over[:3] * 2 - 0.5
    np.testing.assert_array_equal(rbm.transform(over), rbm.transform(np.clip(over, 0, 1)))


@pytest.mark.parametrize(
    "param, value",
    [("n_components", 0), ("learning_rate", -1.0), ("batch_size", 0), ("k", 0),
     ("visible", "poisson"), ("method", "sgd"), ("momentum", 1.5),
     ("learning_rate_schedule", "cosine"), ("sparsity_target", 2.0)],
)
def test_bad_parameters_are_rejected(binary_digits, param, value):
    with pytest.raises(ValueError, match=param):
        RBM(**{param: value}).fit(binary_digits)


def test_unfitted_model_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RBM().transform(np.zeros((2, 3)))


def test_diverging_fit_raises_clear_error(digits):
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(digits[0]) * 30
    rbm = RBM(visible="gaussian", n_components=32, learning_rate=50.0, n_iter=20,
              batch_size=10, random_state=0)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        rbm.fit(X)
    assert np.isfinite(rbm.components_).all()


def test_dynamic_binarization_needs_bernoulli_units_and_keeps_the_seed():
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match="dynamic_binarization.*bernoulli"):
        RBM(4, visible="gaussian", dynamic_binarization=True).fit(X)
    grey = np.random.default_rng(1).random((60, 6)).astype(np.float32)
    a = RBM(4, n_iter=3, dynamic_binarization=True, random_state=0).fit(grey)
    b = RBM(4, n_iter=3, dynamic_binarization=True, random_state=0).fit(grey)
    c = RBM(4, n_iter=3, random_state=0).fit(grey)
    assert a.components_.dtype == np.float32
    np.testing.assert_array_equal(a.components_, b.components_)
    assert not np.allclose(a.components_, c.components_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_solver_reaches_the_rbm_and_the_stacks(binary_digits):
    """RBM(solver=...) trains through deepbelief.training.optimizers; DBN and DBM pass it on."""
    from deepbelief import DBM, DBN, DBNClassifier

    base = fit_small(binary_digits, n_iter=5)
    adam = fit_small(binary_digits, n_iter=5, solver="adam", learning_rate=0.01)
    assert adam._train_state["opt_state"].keys() == {"m", "v", "t"}
    assert not np.allclose(adam.components_, base.components_)
    assert adam.score(binary_digits) > fit_small(binary_digits, n_iter=0).score(binary_digits)
    # warm start with another optimizer starts its state afresh
    adam.set_params(solver="momentum", momentum=0.5, warm_start=True).fit(binary_digits)
    assert adam._train_state["opt_state"].keys() == {"velocity"}

    dbn = DBN((16, 8), n_iter=2, solver="adam", learning_rate=1e-3, random_state=0)
    assert {r.solver for r in dbn.fit(binary_digits).rbms_} == {"adam"}
    clf = DBNClassifier((16,), pretrain_solver="rmsprop", pretrain_learning_rate=1e-3,
                        pretrain_n_iter=2, max_iter=2, random_state=0)
    y = np.arange(binary_digits.shape[0]) % 3
    assert clf.fit(binary_digits, y).dbn_rbms_[0].solver == "rmsprop"
    dbm = DBM((8, 4), pretrain_n_iter=1, n_iter=2, solver="adam", learning_rate=1e-3,
              pretrain_solver="adam", pretrain_learning_rate=1e-3, random_state=0)
    assert dbm.fit(binary_digits)._state.opt_state.keys() == {"m", "v", "t"}
