"""The methods compared by the study, as a registry of estimator factories.

Every factory takes ``(depth, config, optimizer, seed, dbn=None)`` and returns an
unfitted estimator with ``depth`` hidden layers of ``config.width`` units and the
study's fine-tuning budget, so methods differ only in what they are about.  The
step size is not theirs to fix: the study chooses it for every method, depth,
optimizer and label budget from ``LEARNING_RATE_GRID`` on a validation split
(:func:`deepbelief.experiments.selection.choose_learning_rate`; the grid is extended
past an edge where the best step lies on it, ``MAX_EXTRA_STEPS``), so that no
method is shown at a step size that breaks it.
"""

from dataclasses import dataclass

from ..estimators.autoencoder_nets import StackedAutoencoderClassifier
from ..estimators.dbn_nets import DBNClassifier
from ..estimators.deepnet import DeepNetClassifier


@dataclass
class StudyConfig:
    """Sizes and budgets of the study (defaults: minutes on 2 cores, digits)."""

    width: int = 100
    epochs: int = 30
    batch_size: int = 20
    pretrain_epochs: int = 40
    pretrain_batch_size: int = 10
    pretrain_learning_rate: float = 0.05
    pretrain_method: str = "pcd"
    monitor_epochs: int = 3  # gradient norms "after the first epochs"
    sdae_pretrain_epochs: int = 10  # per layer; a denoising autoencoder per net and depth
    sdae_pretrain_learning_rate: float = 0.01


# fine-tuning optimizer settings, the second factor of the study
OPTIMIZER_SETTINGS = {
    "momentum": dict(solver="momentum", momentum=0.9),
    "adam": dict(solver="adam"),
}

#: the fine-tuning step sizes every method is chosen from, per optimizer: the
#: classic 0.1 of momentum SGD and Adam's 1e-3 in the middle, a factor ~3 apart
LEARNING_RATE_GRID = {
    "momentum": (0.01, 0.03, 0.1, 0.3),
    "adam": (3e-4, 1e-3, 3e-3),
}
#: the share of the (labelled) training rows held out to choose the step size on
VALIDATION_FRACTION = 0.2
#: each step is scored on the validation split with every seed the study
#: measures (and at least this many): its score is the worst of them, so that a
#: step that trains one seed and leaves another at chance is not chosen
MIN_SELECTION_SEEDS = 2
#: when the best step is at an edge of the steps tried and beats its neighbour,
#: the grid is extended past that edge by its own ratio, at most this many times
MAX_EXTRA_STEPS = 2


def _finetune(cfg, optimizer, seed):
    return dict(batch_size=cfg.batch_size, max_iter=cfg.epochs, tol=0.0,
                n_iter_no_change=cfg.epochs + 1, alpha=1e-4, random_state=seed,
                **OPTIMIZER_SETTINGS[optimizer])


def _deep_net(activation, init, **extra):
    def make(depth, cfg, optimizer, seed, dbn=None):
        return DeepNetClassifier((cfg.width,) * depth, activation=activation, init=init,
                                 **_finetune(cfg, optimizer, seed), **extra)

    return make


def _dbn(depth, cfg, optimizer, seed, dbn=None):
    return DBNClassifier((cfg.width,) * depth, dbn=dbn, pretrain_n_iter=cfg.pretrain_epochs,
                         pretrain_batch_size=cfg.pretrain_batch_size,
                         pretrain_learning_rate=cfg.pretrain_learning_rate,
                         pretrain_method=cfg.pretrain_method,
                         **_finetune(cfg, optimizer, seed))


def _sdae(depth, cfg, optimizer, seed, dbn=None):
    return StackedAutoencoderClassifier(
        (cfg.width,) * depth, loss="cross_entropy", corruption="masking", corruption_level=0.25,
        pretrain_n_iter=cfg.sdae_pretrain_epochs, pretrain_batch_size=cfg.batch_size,
        pretrain_learning_rate=cfg.sdae_pretrain_learning_rate, **_finetune(cfg, optimizer, seed))


METHODS = {
    "sigmoid_normal": ("sigmoid, N(0, 0.01^2) init", _deep_net("sigmoid", "normal")),
    "sigmoid_glorot": ("sigmoid, Glorot init", _deep_net("sigmoid", "glorot_uniform")),
    "relu_he": ("ReLU, He init", _deep_net("relu", "he_normal")),
    "leaky_relu_he": ("leaky ReLU, He init", _deep_net("leaky_relu", "he_normal")),
    "dbn": ("sigmoid, DBN-pretrained", _dbn),
    "sdae": ("sigmoid, denoising-autoencoder-pretrained", _sdae),
    "sigmoid_batchnorm": ("sigmoid, N(0, 0.01^2) + batch norm",
                          _deep_net("sigmoid", "normal", batch_norm=True)),
    "relu_residual": ("ReLU, He init + residual", _deep_net("relu", "he_normal", residual=True)),
}
