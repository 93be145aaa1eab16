"""Choose DBMClassifier's fine-tuning on a validation split, then report the test error.

A fitted 500-1000 DBM (``mnist_dbm.py --save``) defines the net; the
fine-tuning settings below are declared here, before any run:

* ``dropout_0.2``: SGD + momentum 0.9, step 0.1 -> 0 linearly, dropout 0.2 on
  the hidden units (the recipe of ``mnist_dbm.py``);
* ``dropout_0.5_input_0.2``: the same with dropout 0.5 on the hidden units and
  0.2 on the input, as Srivastava et al. (2014) fine-tune their DBM.

Each is fitted on 50,000 training images and scored on the other 10,000
(a stratified split with a fixed seed); the one with the lower validation
error is refitted on all 60,000 and scored once on the test set.  Every
validation figure is printed, and the test set is touched only at the end.

    python benchmarks/mnist_dbm_finetune.py --dbm dbm.pkl [--epochs 150]
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import joblib
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from deepbelief import DBMClassifier
from deepbelief.datasets import load_mnist

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist.npz"
SETTINGS = {
    "dropout_0.2": dict(dropout=0.2),
    "dropout_0.5_input_0.2": dict(dropout=0.5, input_dropout=0.2),
}


def make(dbm, epochs, seed, **extra):
    return DBMClassifier(dbm=dbm, solver="momentum", momentum=0.9, learning_rate_init=0.1,
                         learning_rate="linear", batch_size=100, max_iter=epochs, alpha=1e-4,
                         tol=0.0, n_iter_no_change=epochs + 1, random_state=seed, verbose=0,
                         **extra)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=str(SHARED) if SHARED.is_file() else None)
    p.add_argument("--dbm", required=True, help="joblib file of a fitted DBM")
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, X_test, y_test = load_mnist(args.mnist)
    dbm = joblib.load(args.dbm)
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=10000, stratify=y,
                                                  random_state=args.seed)
    out = {"args": vars(args), "validation_error_percent": {}, "seconds": {}}
    for name, extra in SETTINGS.items():
        t = time.perf_counter()
        clf = make(dbm, args.epochs, args.seed, **extra).fit(X_fit, y_fit)
        err = 100.0 * (1.0 - clf.score(X_val, y_val))
        out["validation_error_percent"][name] = err
        out["seconds"][name] = time.perf_counter() - t
        print(f"== {name}: validation error {err:.2f} % ({out['seconds'][name]:.0f} s)",
              flush=True)
    best = min(SETTINGS, key=out["validation_error_percent"].get)
    t = time.perf_counter()
    clf = make(dbm, args.epochs, args.seed, **SETTINGS[best]).fit(X, y)
    err = 100.0 * (1.0 - clf.score(X_test, y_test))
    out.update(chosen=best, test_error_percent=err, final_seconds=time.perf_counter() - t)
    print(f"== chosen on validation: {best}; refitted on 60,000 images: test error {err:.2f} % "
          f"({out['final_seconds']:.0f} s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
