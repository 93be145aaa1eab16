"""Full MNIST at the defaults: what a user gets without a recipe.

Two figures, each estimator at its defaults but for the architecture (and the
epoch count of the RBM), seed 0:

* ``DBNClassifier(hidden_layer_sizes=(500, 500, 2000), random_state=0)`` fitted
  on the 60,000 training images (pixels / 255), test error in percent;
* ``RBM(n_components=500, n_iter=20, random_state=0)`` on stochastically
  binarized MNIST (seed 1234 for training, 4321 for test, as
  ``mnist_rbm_loglik.py``), AIS test log-likelihood in nats.

    python benchmarks/mnist_defaults.py [--only dbn|rbm] [--dbn-max-iter 80] [--json FILE]

``--dbn-max-iter`` sets the one value the issue allows besides the
architecture: the DBN's fine-tuning epochs (the recipe's 80).

Data: ``--mnist`` path, else :func:`deepbelief.datasets.find_mnist`.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

from deepbelief import RBM, DBNClassifier
from deepbelief.datasets import binarize_stochastic, load_mnist

from _record import command, git_commit


def dbn(X, y, X_test, y_test, seed, max_iter="auto"):
    clf = DBNClassifier(hidden_layer_sizes=(500, 500, 2000), max_iter=max_iter,
                        random_state=seed, verbose=1)
    t0 = time.perf_counter()
    clf.fit(X, y)
    extra = "" if max_iter == "auto" else f", max_iter={max_iter}"
    return {"estimator": f"DBNClassifier(hidden_layer_sizes=(500, 500, 2000){extra}, "
                         f"random_state={seed})",
            "test_error_percent": 100.0 * (1.0 - clf.score(X_test, y_test)),
            "fit_seconds": time.perf_counter() - t0, "n_iter": clf.n_iter_,
            "resolved_params": clf.resolved_params_}


def rbm(X, X_test, seed):
    Xb = binarize_stochastic(X, random_state=1234)
    Xb_test = binarize_stochastic(X_test, random_state=4321)
    model = RBM(n_components=500, n_iter=20, random_state=seed, verbose=1)
    t0 = time.perf_counter()
    model.fit(Xb)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ll = float(model.score_samples(Xb_test).mean())
    return {"estimator": "RBM(n_components=500, n_iter=20, random_state=0)",
            "test_log_likelihood_nats": ll, "fit_seconds": fit_s,
            "ais_seconds": time.perf_counter() - t0, "resolved_params": model.resolved_params_}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--only", choices=["dbn", "rbm"], default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dbn-max-iter", type=int, default=None,
                   help="fine-tuning epochs of the DBN (default: the data-scaled 'auto')")
    p.add_argument("--json", default=None, help="write the figures here")
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, X_test, y_test = load_mnist(args.mnist)
    out = {"command": command(__file__), "commit": git_commit(), "seed": args.seed}
    if args.only in (None, "rbm"):
        out["rbm"] = rbm(X, X_test, args.seed)
        print(f"RBM at defaults, 20 epochs: {out['rbm']['test_log_likelihood_nats']:.2f} nats "
              f"(fit {out['rbm']['fit_seconds']:.0f} s)", flush=True)
    if args.only in (None, "dbn"):
        out["dbn"] = dbn(X, y, X_test, y_test, args.seed,
                         "auto" if args.dbn_max_iter is None else args.dbn_max_iter)
        print(f"DBNClassifier at defaults: {out['dbn']['test_error_percent']:.2f} % test error "
              f"(fit {out['dbn']['fit_seconds']:.0f} s, {out['dbn']['n_iter']} epochs)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
