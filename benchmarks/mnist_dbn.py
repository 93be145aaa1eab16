"""The classic DBN recipe on MNIST: 784-500-500-2000-10, pretrained then fine-tuned,
beside the same net randomly initialised, with the same fine-tuning budget.

Standard split; the test set is used only for the final report (no model
selection: every hyper-parameter is fixed in this file).

    python benchmarks/mnist_dbn.py [--methods dbn,sigmoid_normal,sigmoid_glorot,relu_he]
                                   [--epochs 50] [--json results.json]

With ``--validate``, ``--refit`` or ``--test`` it chooses among the DBN
recipes of ``SETTINGS`` (declared here before any of them ran) on a
validation split, then scores the choice once on the test set
(``benchmarks/_selection.py``)::

    python benchmarks/mnist_dbn.py --results out/ --validate recipe,pretrain_samples
    python benchmarks/mnist_dbn.py --results out/ --refit --json chosen.json
"""

import argparse
import time
import warnings

import _selection
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from deepbelief import DBNClassifier, DeepNetClassifier
from deepbelief.datasets import load_mnist

from _record import write_json

SIZES = (500, 500, 2000)

#: DBN recipes for the choice on a validation split, each the recipe of
#: ``make("dbn", ...)`` with these changes (declared before any of them ran):
#: Srivastava et al.'s dropout (0.5 on the hidden units, 0.2 on the input) with
#: the recipe's and twice its epochs, the DBN's default sampled propagation
#: between RBMs, a fresh binary draw of every pretraining minibatch (the DBM's
#: best change), and a larger fine-tuning step
SETTINGS = {
    "recipe": {},
    "dropout_0.5_input_0.2": dict(dropout=0.5, input_dropout=0.2),
    "dropout_0.5_input_0.2_160_epochs": dict(dropout=0.5, input_dropout=0.2, epoch_factor=2),
    "pretrain_samples": dict(pretrain_propagate="samples"),
    "dynamic_binarization": dict(dynamic_binarization=True),
    "lr_0.2": dict(learning_rate_init=0.2),
}


def make(method, epochs, seed, dropout, pretrain_epochs):
    finetune = dict(solver="momentum", momentum=0.9, learning_rate_init=0.1,
                    learning_rate="linear", batch_size=100, max_iter=epochs, alpha=1e-4,
                    tol=0.0, n_iter_no_change=epochs + 1, random_state=seed, verbose=1,
                    dropout=dropout)
    if method == "dbn":
        return DBNClassifier(SIZES, pretrain_n_iter=pretrain_epochs, pretrain_learning_rate=0.05,
                             pretrain_batch_size=100, pretrain_momentum=0.5,
                             pretrain_weight_decay=2e-4, pretrain_propagate="probabilities",
                             **finetune)
    if method == "sigmoid_normal":
        return DeepNetClassifier(SIZES, activation="sigmoid", init="normal", **finetune)
    if method == "sigmoid_glorot":
        return DeepNetClassifier(SIZES, activation="sigmoid", init="glorot_uniform", **finetune)
    if method == "relu_he":
        return DeepNetClassifier(SIZES, activation="relu", init="he_normal",
                                 **{**finetune, "learning_rate_init": 0.05})
    raise ValueError(method)


def make_setting(name, args, verbose=0):
    """The DBN recipe of ``make("dbn", ...)`` with the changes of ``SETTINGS[name]``."""
    extra = dict(SETTINGS[name])
    epochs = args.epochs * extra.pop("epoch_factor", 1)
    dropout = extra.pop("dropout", args.dropout)
    clf = make("dbn", epochs, args.seed, dropout, args.pretrain_epochs)
    return clf.set_params(verbose=verbose, **extra)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--methods", default="dbn,sigmoid_normal,sigmoid_glorot,relu_he")
    p.add_argument("--epochs", type=int, default=80)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--pretrain-epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    _selection.add_arguments(p)
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, X_test, y_test = load_mnist(args.mnist)
    if args.validate or args.refit or args.test:
        out = _selection.run(p, args, SETTINGS,
                             lambda name, X, y: make_setting(name, args).fit(X, y),
                             (X, y, X_test, y_test),
                             same_keys=("seed", "epochs", "dropout", "pretrain_epochs"))
        if not args.validate:
            write_json(args.json, out, __file__)
        return
    results = {}
    for method in args.methods.split(","):
        clf = make(method, args.epochs, args.seed, args.dropout, args.pretrain_epochs)
        t0 = time.perf_counter()
        clf.fit(X, y)
        wall = time.perf_counter() - t0
        err = 100.0 * (1.0 - clf.score(X_test, y_test))
        h = clf.history_
        results[method] = {
            "test_error_percent": err,
            "train_error_percent": 100.0 * (1.0 - clf.score(X, y)),
            "wall_seconds": wall,
            "finetune_seconds": float(np.sum(h["seconds"])),
            "epochs": clf.n_iter_,
            "grad_norms_init": h["grad_norms_init"],
            "grad_norms_last": h["grad_norms"][-1],
            "loss_curve": h["loss"],
        }
        print(f"== {method}: test error {err:.2f} %, wall {wall:.0f} s "
              f"(fine-tuning {results[method]['finetune_seconds']:.0f} s, {clf.n_iter_} epochs)",
              flush=True)
        write_json(args.json, {"seed": args.seed, **results}, __file__)
    print(f"\n{'method':16s} {'test error %':>12s} {'wall s':>8s}   grad norms at init (input side first)")
    for m, r in results.items():
        if not isinstance(r, dict):
            continue
        norms = " ".join(f"{g:.1e}" for g in r["grad_norms_init"])
        print(f"{m:16s} {r['test_error_percent']:12.2f} {r['wall_seconds']:8.0f}   {norms}")


if __name__ == "__main__":
    main()
