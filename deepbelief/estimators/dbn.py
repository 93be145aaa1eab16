"""The deep belief network: a greedy stack of RBMs, as a transformer and a sampler."""

from contextlib import nullcontext

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ..math.units import unit_type
from ..training import budget
from ..training.greedy import (
    greedy_layerwise,
    pass_layer_up,
    propagate_down,
    propagate_up,
    seeds,
)
from ._params import (
    HIDDEN_LAYERS,
    RBM_PRETRAINING,
    RUN_CONTROL,
    VISIBLE,
    constraints,
    make_init,
    unprefixed,
)
from ._persistence import VersionedStateMixin
from ._validation import (
    all_or_nothing,
    check_hidden_layer_sizes,
    check_same_architecture,
    check_sampling,
    check_visible_data,
    fit_context,
    make_generator,
    visible_groups,
)
from .rbm import RBM

# the DBN nets' pretraining parameters without their prefix
_BLOCKS = (
    HIDDEN_LAYERS,
    VISIBLE,
    unprefixed(RBM_PRETRAINING, "pretrain_"),
    RUN_CONTROL,
)

def rbm_factory(est, rng, prefix, visible, n_iter, batch_size):
    """A factory of the stack's RBMs from an estimator's (prefixed) parameters,
    with the resolved epochs and batch size."""
    get = lambda name: getattr(est, prefix + name)
    sizes = est._hidden_sizes()
    layer_seeds = seeds(rng, len(sizes))

    def make(layer):
        return RBM(
            n_components=sizes[layer],
            visible=visible if layer == 0 else "bernoulli",
            n_categories=getattr(est, "n_categories", None) if layer == 0 else None,
            dynamic_binarization=est.dynamic_binarization and layer == 0,
            n_iter=n_iter, learning_rate=get("learning_rate"), learning_rate_schedule="constant",
            batch_size=batch_size, method=get("method"), k=get("k"), solver=get("solver"),
            momentum=get("momentum"), weight_decay=get("weight_decay"),
            random_state=layer_seeds[layer], verbose=est.verbose,
        )

    return make, len(sizes)


class DBN(VersionedStateMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Deep belief network: a stack of RBMs trained greedily, layer by layer.

    Each RBM is trained on the hidden units of the one below (one binary
    sample per row, or the probabilities: ``propagate``), computed once per
    layer.  :meth:`transform` returns the top layer's probabilities;
    :meth:`sample` runs Gibbs sampling in the top RBM and a downward pass.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100, 100)
        Hidden units per RBM, input side first.
    visible : {"bernoulli", "gaussian", "categorical"}, default="bernoulli"
        Visible units of the first RBM (data in [0, 1], standardized data, or
        one-hot groups: see :class:`deepbelief.RBM`).
    n_categories : int, array-like of int or None, default=None
        The group sizes of categorical visible units (see :class:`deepbelief.RBM`).
    dynamic_binarization : bool, default=False
        The first RBM reads the (grey) data as probabilities and trains on a
        fresh binary draw of every minibatch (see :class:`deepbelief.RBM`); the
        RBMs above train on what the layer below passes up, as always.
        Bernoulli visible units only.
    n_iter, batch_size : int or "auto", default="auto"
        Epochs and minibatch size of every RBM; ``"auto"`` resolves them from
        the number of training rows (:mod:`deepbelief.training.budget`: batches of
        ``clip(n // 100, 10, 100)`` rows, 10-30 epochs).
    learning_rate, method, k, solver, momentum, weight_decay :
        Training parameters of every RBM (see :class:`deepbelief.RBM`; the
        default ``solver="momentum"`` with ``momentum=0.5`` is the classic
        recipe, ``solver="adam"`` wants a ``learning_rate`` near ``1e-3``).
    propagate : {"samples", "probabilities"}, default="samples"
        What each RBM is trained on: one binary sample of the hidden units below
        per row (exact samples of the aggregated posterior) or their
        probabilities.  Probabilities fade toward constants in deep stacks.
    verbose : int, default=0
        ``1``: a line per epoch of every layer; ``2``: also a progress bar
        (:mod:`deepbelief.training.progress`).
    random_state : int, RandomState instance or None
        Seeds every RBM (and :meth:`sample` unless given its own).

    Attributes
    ----------
    rbms_ : list of RBM
        The fitted layers, input side first.
    resolved_params_ : dict
        The ``batch_size`` and ``n_iter`` used (``"auto"`` resolved).
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from deepbelief import DBN
    >>> X = load_digits().data / 16
    >>> dbn = DBN(hidden_layer_sizes=(32, 16), n_iter=3, random_state=0).fit(X)
    >>> dbn.transform(X).shape
    (1797, 16)
    """

    _parameter_constraints = constraints(*_BLOCKS)
    __init__ = make_init(*_BLOCKS)

    def _hidden_sizes(self):
        return check_hidden_layer_sizes(self.hidden_layer_sizes)

    def _validate_X(self, X, reset, fit=False):
        sparse = "csr" if unit_type(self.visible).bounded else False
        dtype = [np.float64, np.float32] if reset else self.rbms_[0].components_.dtype
        X = validate_data(self, X, accept_sparse=sparse, dtype=dtype, reset=reset)
        groups = visible_groups(self.visible, self.n_categories, X.shape[1])
        return check_visible_data(X, self.visible, self.dynamic_binarization, fit=fit,
                                  groups=groups)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain the stack greedily on ``X``.

        A fit that fails or is interrupted leaves the DBN as it was before it.
        """
        check_hidden_layer_sizes(self.hidden_layer_sizes)  # before any attribute is set
        with all_or_nothing(self, "pretraining"):
            X = self._validate_X(X, reset=True, fit=True)
            make, n_layers = self._start(X.shape[0])
            if self.verbose:
                print(budget.report(type(self).__name__, self.resolved_params_))
            self.rbms_ = greedy_layerwise(X, make, n_layers, propagate=self.propagate,
                                          rng=self._rng, verbose=self.verbose)
        return self

    def _start(self, n_samples):
        """A new stack: the generator, the budget resolved from ``n_samples``
        rows, and the factory of its unfitted RBMs ``(make, n_layers)``."""
        self._rng = make_generator(self.random_state)
        batch, epochs = budget.resolve(n_samples, self.batch_size, self.n_iter, "pretrain")
        self.resolved_params_ = {"batch_size": batch, "n_iter": epochs}
        return rbm_factory(self, self._rng, "", self.visible, epochs, batch)

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of every layer on the block ``X``, layer by layer.

        The first RBM runs one epoch of CD/PCD on ``X``
        (:meth:`deepbelief.RBM.partial_fit`), the second on what the first,
        just updated, passes up (``propagate``), and so on: training on a
        stream of blocks, which ``dask_ml.wrappers.Incremental`` hands over
        one by one.  The first call builds the stack (``n_iter`` and
        ``batch_size`` resolve from its block's size); later calls continue
        it, and a first call that fails leaves the DBN unfitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : DBN
        """
        first = not hasattr(self, "rbms_")
        if first:
            check_hidden_layer_sizes(self.hidden_layer_sizes)
        else:
            check_same_architecture([r.n_components for r in self.rbms_],
                                    self._hidden_sizes(), "hidden layer widths")
        with all_or_nothing(self, "the first partial_fit") if first else nullcontext():
            X = self._validate_X(X, reset=first, fit=True)
            if first:
                make, n_layers = self._start(X.shape[0])
                rbms = [make(layer) for layer in range(n_layers)]
            else:
                rbms = self.rbms_
            data = X
            for layer, rbm in enumerate(rbms):
                rbm.partial_fit(data)
                if layer < len(rbms) - 1:
                    data = pass_layer_up(rbm, data, self.propagate, self._rng)
            self.rbms_ = rbms
        return self

    @property
    def _n_features_out(self):
        return self.rbms_[-1].n_components

    def transform(self, X):
        """Top-layer hidden probabilities (one upward pass of mean activations)."""
        check_is_fitted(self)
        return propagate_up(self.rbms_, self._validate_X(X, reset=False))

    def inverse_transform(self, H):
        """Visible means from top-layer states, by the downward generative pass."""
        check_is_fitted(self)
        return propagate_down(self.rbms_, H)

    def reconstruction_error(self, X):
        """Mean over samples of ``||x - r(x)||^2``, ``r`` the upward pass of
        probabilities then the downward pass of means."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        X = X.toarray() if hasattr(X, "toarray") else X
        R = self.inverse_transform(propagate_up(self.rbms_, X))
        D = X - R
        return float(np.mean(np.einsum("ij,ij->i", D, D)))

    def score(self, X, y=None):
        """Negative :meth:`reconstruction_error` (higher is better), so that
        ``GridSearchCV`` and ``dask_ml.wrappers.Incremental`` can rank DBNs."""
        check_is_fitted(self)
        return -self.reconstruction_error(X)

    def sample(self, n_samples=1, n_steps=1000, random_state=None):
        """Generate data: Gibbs chains in the top RBM, then a downward pass of means.

        Returns visible probabilities, shape (n_samples, n_features).
        """
        check_is_fitted(self)
        n_samples, n_steps = check_sampling(n_samples, n_steps)
        rng = self._rng if random_state is None else make_generator(random_state)
        top = self.rbms_[-1]
        v_top = top.sample(n_samples, n_steps=n_steps, random_state=rng, probabilities=True)
        return propagate_down(self.rbms_[:-1], v_top)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = unit_type(self.visible).bounded
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
