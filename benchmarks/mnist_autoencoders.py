"""Autoencoders on MNIST: the deep autoencoder against PCA, and the stacked denoising
autoencoder classifier.

* ``deep_ae``: 784-1000-500-250-30 with a linear code layer, initialised from
  greedy RBMs (Gaussian hidden units in the top one) and unrolled (Hinton &
  Salakhutdinov 2006), fine-tuned on the cross-entropy of the reconstruction.
  Reported: the test set's mean squared reconstruction error per image
  (sum over the 784 pixels in [0, 1]) beside PCA with 30 components.
  ``deep_ae_random`` is the same net without pretraining (same budget).
* ``sda``: 3 hidden layers of 1000 sigmoid units, each pretrained as a
  denoising autoencoder (25 % masking noise, tied weights), then fine-tuned
  with a softmax layer (Vincent et al. 2010).  Reported: test error.

Standard split; no model selection on the test set (all settings fixed here).

    python benchmarks/mnist_autoencoders.py [--which pca,deep_ae,sda] [--json out.json]

The defaults are the published setting (30 fine-tuning epochs of the deep
autoencoder, 50 of the SdA, seed 0).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from deepbelief import StackedAutoencoder, StackedAutoencoderClassifier
from deepbelief.datasets import load_mnist

from _record import write_json


def squared_error(X, R):
    return float(np.mean(np.einsum("ij,ij->i", X - R, X - R)))


def deep_autoencoder(X, X_test, args, pretrain):
    ae = StackedAutoencoder(
        (1000, 500, 250, 30), activation="sigmoid", code_activation="identity",
        loss="cross_entropy", pretrain="rbm" if pretrain else "none",
        pretrain_n_iter=args.pretrain_epochs, pretrain_learning_rate=0.1,
        pretrain_batch_size=100, solver="adam", learning_rate_init=args.ae_lr,
        learning_rate="linear", batch_size=100, alpha=0.0, max_iter=args.ae_epochs, tol=0.0,
        n_iter_no_change=args.ae_epochs + 1, random_state=args.seed, verbose=1)
    t0 = time.perf_counter()
    ae.set_params(max_iter=0).fit(X)  # pretraining (or initialisation) only
    before = ae.reconstruction_error(X_test)
    pretrain_s = time.perf_counter() - t0
    ae.set_params(max_iter=args.ae_epochs, warm_start=True).fit(X)  # fine-tuning
    wall = time.perf_counter() - t0
    out = {"test_squared_error": ae.reconstruction_error(X_test),
           "unrolled_before_finetuning_test_squared_error": before,
           "train_squared_error_10k": ae.reconstruction_error(X[:10000]),
           "wall_seconds": wall, "pretrain_seconds": pretrain_s,
           "finetune_epoch_seconds_median": float(np.median(ae.history_["seconds"])),
           "loss_curve": ae.loss_curve_, "grad_norms_init": ae.history_["grad_norms_init"]}
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--which", default="pca,deep_ae,sda")
    p.add_argument("--pretrain-epochs", type=int, default=15)
    p.add_argument("--ae-epochs", type=int, default=30)
    p.add_argument("--ae-lr", type=float, default=1e-3)
    p.add_argument("--sda-epochs", type=int, default=50)
    p.add_argument("--n-train", type=int, default=None, help="subsample (smoke runs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, X_test, y_test = load_mnist(args.mnist)
    if args.n_train:
        X, y = X[: args.n_train], y[: args.n_train]
    results = {"args": vars(args)}
    for which in args.which.split(","):
        if which == "pca":
            t0 = time.perf_counter()
            pca = PCA(30, random_state=args.seed).fit(X)
            R = pca.inverse_transform(pca.transform(X_test))
            results["pca30"] = {"test_squared_error": squared_error(X_test, R),
                                "wall_seconds": time.perf_counter() - t0}
            print(f"== PCA(30): test squared error {results['pca30']['test_squared_error']:.2f}",
                  flush=True)
        elif which in ("deep_ae", "deep_ae_random"):
            r = deep_autoencoder(X, X_test, args, pretrain=which == "deep_ae")
            results[which] = r
            print(f"== {which}: test squared error {r['test_squared_error']:.2f} "
                  f"(before fine-tuning {r['unrolled_before_finetuning_test_squared_error']:.2f}); "
                  f"wall {r['wall_seconds']:.0f} s, fine-tuning epoch "
                  f"{r['finetune_epoch_seconds_median']:.1f} s", flush=True)
        elif which == "sda":
            clf = StackedAutoencoderClassifier(
                (1000, 1000, 1000), activation="sigmoid", loss="cross_entropy", tied=True,
                corruption="masking", corruption_level=0.25, pretrain_n_iter=args.pretrain_epochs,
                pretrain_learning_rate=0.01, pretrain_batch_size=100, solver="momentum",
                momentum=0.9, learning_rate_init=0.1, learning_rate="linear", batch_size=100,
                alpha=1e-4, dropout=0.2, max_iter=args.sda_epochs, tol=0.0,
                n_iter_no_change=args.sda_epochs + 1, random_state=args.seed, verbose=1)
            t0 = time.perf_counter()
            clf.fit(X, y)
            wall = time.perf_counter() - t0
            err = 100.0 * (1.0 - clf.score(X_test, y_test))
            results["sda"] = {"test_error_percent": err, "wall_seconds": wall,
                              "finetune_seconds": float(np.sum(clf.history_["seconds"])),
                              "finetune_epoch_seconds_median": float(
                                  np.median(clf.history_["seconds"])),
                              "grad_norms_init": clf.history_["grad_norms_init"]}
            print(f"== SdA 3x1000: test error {err:.2f} %, wall {wall:.0f} s", flush=True)
        else:
            raise ValueError(which)
        write_json(args.json, results, __file__)


if __name__ == "__main__":
    main()
