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
from ..math.activations import HIDDEN_ACTIVATIONS
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
ACTIVATION = {"activation": ("relu", [StrOptions(set(HIDDEN_ACTIVATIONS))])}

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
    "activation": ("sigmoid", [StrOptions({"sigmoid", "tanh", "relu", "leaky_relu"})]),
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
