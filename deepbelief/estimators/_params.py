"""Shared parameter blocks: each parameter's default and constraint, written once.

A block maps a parameter name to ``(default, constraints)``.  An estimator is
built from blocks: :func:`constraints` gives its ``_parameter_constraints``
and :func:`make_init` its ``__init__``, an explicit signature (what
``get_params``, ``clone`` and ``GridSearchCV`` read) whose body only stores
the arguments, as scikit-learn requires.  Defaults that differ between
estimators (``DeepNetClassifier`` follows ``MLPClassifier``) are overridden by
keyword where the estimator is built.

>>> from deepbelief import DBNClassifier
>>> DBNClassifier().get_params()["solver"]
'momentum'
"""

import inspect
from numbers import Integral, Real

from .._sklearn import Interval, StrOptions
from ..math.activations import ACTIVATION_ALIASES, HIDDEN_ACTIVATIONS
from ..math.autoencoder import CORRUPTIONS
from ..math.initializers import INITIALIZERS
from ..math.units import STACKABLE_UNITS, VISIBLE_UNITS
from ..training.conjugate_gradient import LINE_SEARCH_SOLVERS
from ..training.greedy import PROPAGATE
from ..training.optimizers import LEARNING_RATE_SCHEDULES, OPTIMIZERS

_AUTO = StrOptions({"auto"})
_NONNEGATIVE = Interval(Real, 0, None, closed="left")
_POSITIVE = Interval(Real, 0, None, closed="neither")
_FRACTION = Interval(Real, 0, 1, closed="left")
_COUNT = Interval(Integral, 0, None, closed="left")
_AT_LEAST_ONE = Interval(Integral, 1, None, closed="left")

#: the hidden layers of a feed-forward net, and their non-linearity
HIDDEN_LAYERS = {"hidden_layer_sizes": ((100, 100), ["array-like", _AT_LEAST_ONE])}
ACTIVATION = {"activation": ("relu", [StrOptions({*HIDDEN_ACTIVATIONS, *ACTIVATION_ALIASES})])}

#: backpropagation (MLPClassifier's names), with the pretrained nets' defaults
FINE_TUNING = {
    "init": ("glorot_uniform", [StrOptions(set(INITIALIZERS))]),
    "solver": ("momentum", [StrOptions(set(OPTIMIZERS) | set(LINE_SEARCH_SOLVERS))]),
    "alpha": (1e-4, [_NONNEGATIVE]),
    "l1": (0.0, [_NONNEGATIVE]),
    "batch_size": ("auto", [_AUTO, _AT_LEAST_ONE]),
    "learning_rate": ("constant", [StrOptions(set(LEARNING_RATE_SCHEDULES))]),
    "learning_rate_init": ("auto", [_AUTO, _POSITIVE]),
    "momentum": (0.9, [_FRACTION]),
    "max_iter": ("auto", [_AUTO, _COUNT]),
    "tol": (1e-4, [_NONNEGATIVE]),
    "n_iter_no_change": ("auto", [_AUTO, _AT_LEAST_ONE]),
    "early_stopping": (False, ["boolean"]),
    "validation_fraction": (0.1, [Interval(Real, 0, 1, closed="neither")]),
    "dropout": (0.0, [_FRACTION]),
    "input_dropout": (0.0, [_FRACTION]),
    "max_norm": (None, [_POSITIVE, None]),
    "warm_start": (False, ["boolean"]),
}

#: every estimator's last two parameters
RUN_CONTROL = {
    "verbose": (0, ["verbose"]),
    "random_state": (None, ["random_state"]),
}

#: the randomly initialised nets' extras
NORMALIZATION = {
    "batch_norm": (False, ["boolean"]),
    "residual": (False, ["boolean"]),
}

#: nets with pretrained hidden layers can train the output layer alone first
OUTPUT_ONLY = {"n_iter_output_only": (0, [_COUNT])}

#: contrastive-divergence learning of one RBM, with the ``RBM``'s defaults
CD_LEARNING = {
    "n_iter": ("auto", [_AUTO, _COUNT]),
    "learning_rate": (0.1, [_POSITIVE]),
    "batch_size": ("auto", [_AUTO, _AT_LEAST_ONE]),
    "method": ("pcd", [StrOptions({"cd", "pcd"})]),
    "k": (1, [_AT_LEAST_ONE]),
    "solver": ("momentum", [StrOptions(set(OPTIMIZERS))]),
    "momentum": (0.0, [_FRACTION]),
    "weight_decay": (0.0, [_NONNEGATIVE]),
}

#: the RBM's extras: a sparsity target and a schedule ("auto": linear in fit)
CD_EXTRAS = {
    "sparsity_target": (None, [Interval(Real, 0, 1, closed="neither"), None]),
    "sparsity_cost": (0.1, [_NONNEGATIVE]),
    "learning_rate_schedule": ("auto", [StrOptions({"auto", *LEARNING_RATE_SCHEDULES})]),
}

#: the visible units of a Boltzmann machine
VISIBLE = {
    "visible": ("bernoulli", [StrOptions(set(VISIBLE_UNITS))]),
    "n_categories": (None, [Interval(Integral, 2, None, closed="left"), "array-like", None]),
    "dynamic_binarization": (False, ["boolean"]),
}

#: the true log-likelihood by annealed importance sampling
LIKELIHOOD = {
    "ais_chains": (100, [Interval(Integral, 2, None, closed="left")]),
    "ais_betas": (14500, [Interval(Integral, 2, None, closed="left")]),
}


def prefixed(block, prefix, **defaults):
    """``block`` with every name prefixed, and some defaults changed."""
    return {prefix + name: (defaults.get(name, default), constraint)
            for name, (default, constraint) in block.items()}


def picked(block, *names):
    """The entries ``names`` of ``block``, in that order."""
    return {name: block[name] for name in names}


#: the RBMs of a greedy stack (DBN nets, the DBM's pretraining): Hinton's recipe
GREEDY_CD = prefixed(CD_LEARNING, "pretrain_", learning_rate=0.05, method="cd", momentum=0.5,
                     weight_decay=2e-4)

#: joint training of a DBM: persistent particles, mean field, the step annealed
DBM_LEARNING = {
    **picked(CD_LEARNING, "n_iter", "learning_rate"),
    "learning_rate_schedule": ("linear", [StrOptions(set(LEARNING_RATE_SCHEDULES))]),
    **picked(CD_LEARNING, "solver", "momentum", "weight_decay", "batch_size"),
    "n_particles": (100, [_AT_LEAST_ONE]),
    "n_gibbs": (1, [_AT_LEAST_ONE]),
    "n_mean_field": (10, [_AT_LEAST_ONE]),
    "n_mean_field_score": (None, [_AT_LEAST_ONE, None]),
    "dynamic_binarization": (False, ["boolean"]),
    "transform_layers": ("top", [StrOptions({"top", "all"})]),
}

#: greedy RBM pretraining of the DBN nets
RBM_PRETRAINING = {
    "pretrain": (True, ["boolean"]),
    "visible": ("auto", [StrOptions(set(STACKABLE_UNITS) | {"auto"})]),
    "dynamic_binarization": (False, ["boolean"]),
    **GREEDY_CD,
    "pretrain_propagate": ("samples", [StrOptions(set(PROPAGATE))]),
}

#: the autoencoders' non-linearities
AUTOENCODER_ACTIVATION = {
    "activation": ("sigmoid", [StrOptions({"sigmoid", "logistic", "tanh", "relu",
                                           "leaky_relu"})]),
}

#: greedy autoencoder pretraining (stacked denoising autoencoders by default)
AUTOENCODER_PRETRAINING = {
    "pretrain": (True, ["boolean"]),
    "loss": ("squared_error", [StrOptions({"squared_error", "cross_entropy"})]),
    "tied": (True, ["boolean"]),
    "corruption": ("masking", [StrOptions(set(CORRUPTIONS))]),
    "corruption_level": (0.25, [_NONNEGATIVE]),
    "pretrain_n_iter": ("auto", [_AUTO, _COUNT]),
    "pretrain_learning_rate": (0.01, [_POSITIVE]),
    "pretrain_batch_size": ("auto", [_AUTO, _AT_LEAST_ONE]),
}


def unprefixed(block, prefix):
    """The entries of ``block`` whose names start with ``prefix``, without it."""
    return {name.removeprefix(prefix): spec for name, spec in block.items()
            if name.startswith(prefix)}


def constraints(*blocks, **overrides):
    """The ``_parameter_constraints`` of an estimator built from ``blocks``.

    ``overrides`` maps a name to its constraint list (replacing or adding).
    """
    merged = {name: spec[1] for block in blocks for name, spec in block.items()}
    merged.update(overrides)
    return merged


def make_init(*blocks, positional="hidden_layer_sizes", **defaults):
    """An ``__init__`` taking the parameters of ``blocks`` and storing them.

    ``positional`` is the one parameter that may be passed by position, every
    other one is keyword-only; ``defaults`` overrides a block's default.  The
    signature is explicit (``inspect.signature`` shows every name), so
    scikit-learn's ``get_params``/``set_params``/``clone`` work unchanged.
    """
    names = {}
    for block in blocks:
        for name, (default, _) in block.items():
            names[name] = default
    unknown = set(defaults) - set(names)
    if unknown:
        raise TypeError(f"defaults for parameters no block has: {sorted(unknown)}")
    names.update(defaults)
    first = [positional] if positional is not None else []
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=names[n])
                   for n in first]
    parameters += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d)
                   for n, d in names.items() if n not in first]
    signature = inspect.Signature(parameters)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


#: the numpydoc entries of the nets' parameters (DeepNetClassifier, DeepNetRegressor)
_NET_DOC_PARAMS = """
    hidden_layer_sizes : array-like of int, default={default_sizes}
        Widths of the hidden layers, input side first.
    activation : {{"sigmoid", "tanh", "relu", "leaky_relu", "identity"}}
        Hidden-unit non-linearity (``"logistic"``, scikit-learn's name, is
        ``"sigmoid"``).
    init : {{"normal", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal"}}
        Weight initializer: ``"normal"`` is N(0, 0.01^2), the classic choice.
    solver : {{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "cg"}}
        Optimizer.  ``"cg"`` is Hinton & Salakhutdinov's fine-tuning: on each
        minibatch (use large ones, about 1,000 rows) three iterations of
        Polak-Ribiere conjugate gradient with a line search, which sets the step
        (``learning_rate*`` and ``momentum`` are not used); it needs a
        deterministic objective, so no ``dropout``, ``input_dropout`` or
        ``batch_norm``.
    alpha : float, default=1e-4
        L2 penalty (scaled by the batch size, as in ``MLPClassifier``).  With the
        SGD-family solvers it is applied as decoupled weight decay,
        ``W *= 1 - lr * alpha / batch_size`` (the same step as the L2 gradient for
        plain SGD), which saves a pass over every weight.
    l1 : float, default=0.0
        L1 penalty, same scaling.
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)`` (as ``MLPClassifier``) for the
        randomly initialised nets and the data-scaled rule of
        :mod:`deepbelief.training.budget` for the pretrained ones.
    learning_rate : {{"constant", "linear", "invscaling"}}, default="constant"
        Learning-rate schedule over ``max_iter`` epochs.
    learning_rate_init : float or "auto"
        Initial step size; ``"auto"`` (the pretrained nets' default):
        ``0.1 * batch_size / 100`` for the SGD-family solvers, ``1e-3`` for
        Adam and RMSProp, ``1e-2`` for AdaGrad (:mod:`deepbelief.training.budget`).
    momentum : float, default=0.9
        For the ``"momentum"`` and ``"nesterov"`` solvers.
    max_iter : int or "auto"
        Maximum number of epochs; ``"auto"`` gives about 10,000 updates, 20-500
        epochs (:mod:`deepbelief.training.budget`).
    tol, n_iter_no_change : float, int or "auto"
        Stop when the training loss (or, with ``early_stopping``, the
        validation score) has not improved by ``tol`` for ``n_iter_no_change``
        epochs; ``"auto"`` (the pretrained nets' default):
        ``max(10, ceil(500 / updates per epoch))`` (:mod:`deepbelief.training.budget`).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        classifiers) and keep the parameters of the best validation score.
    validation_fraction : float, default=0.1
    dropout : float, default=0.0
        Dropout rate of the hidden units.
    input_dropout : float, default=0.0
        Dropout rate of the inputs.
    max_norm : float or None, default=None
        Max-norm constraint: after every step, each unit's incoming weight
        vector (a column of ``coefs_[l]``, output layer included) longer than
        ``max_norm`` is scaled back to that length (Srivastava et al. 2014,
        who pair it with dropout and large steps; typical values 3-4).
        ``None``: no constraint.
    warm_start : bool, default=False
        Continue from the previous solution in :meth:`fit`.
    verbose : int, default=0
        ``1``: one line per epoch of every phase, the phase named
        (``[DBNClassifier] pretraining layer 2/3 epoch 4/10: ...``), with its
        loss or reconstruction error, scores and seconds; ``2``: also a
        progress bar over the minibatches with the time left, on stderr
        (:mod:`deepbelief.training.progress`).
    random_state : int, RandomState instance or None
        Controls initialisation (and pretraining), minibatch order, dropout
        masks and the validation split."""


def net_init_doc(cls, default_sizes="(100,)"):
    cls.__doc__ = cls.__doc__.replace("%(net_params)s", _NET_DOC_PARAMS.format(
        default_sizes=default_sizes))
    return cls
