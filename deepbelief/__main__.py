"""Command line: ``python -m deepbelief`` fits an RBM and reports its likelihood.

Interim main job: fit an :class:`~deepbelief.RBM` to stochastically binarized
digits (or MNIST), print its average log-likelihood on held-out data (exact
``log Z`` when the model is small, AIS otherwise), and write a PNG of its
filters and a summary file into the output folder.
"""

import argparse
import json
import sys
import time
from pathlib import Path


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m deepbelief",
        description="Fit an RBM, report its held-out log-likelihood and write its filters.",
    )
    p.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    p.add_argument("--mnist-path", default=None, help="MNIST .npz (else $DEEPBELIEF_MNIST or fetch)")
    p.add_argument("--n-components", type=int, default=64, help="hidden units (default 64)")
    p.add_argument("--n-iter", type=int, default=50, help="epochs (default 50)")
    p.add_argument("--method", choices=["cd", "pcd"], default="cd")
    p.add_argument("--k", type=int, default=1, help="Gibbs steps per update")
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--ais-betas", type=int, default=14500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="deepbelief-output", help="output folder")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    import numpy as np
    from sklearn.model_selection import train_test_split

    from . import RBM
    from .datasets import binarize_stochastic, load_digits_unit, load_mnist

    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    if args.dataset == "digits":
        X, y = load_digits_unit()
        X_train, X_test = train_test_split(X, test_size=0.25, random_state=args.seed, stratify=y)
        shape = (8, 8)
    else:
        X_train, _, X_test, _ = load_mnist(args.mnist_path)
        shape = (28, 28)
    X_train = binarize_stochastic(X_train, random_state=args.seed)
    X_test = binarize_stochastic(X_test, random_state=args.seed + 1)
    say(f"data: {args.dataset}, train {X_train.shape}, test {X_test.shape} (binarized once)")

    rbm = RBM(
        n_components=args.n_components,
        n_iter=args.n_iter,
        method=args.method,
        k=args.k,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        momentum=0.5,
        learning_rate_schedule="linear",
        ais_betas=args.ais_betas,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    t0 = time.perf_counter()
    rbm.fit(X_train)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    log_z, (low, high) = rbm.log_partition(return_bounds=True)
    ll_train = rbm.score(X_train)
    ll_test = rbm.score(X_test)
    z_seconds = time.perf_counter() - t0
    exact = low == high
    say(
        f"log Z = {log_z:.3f} ({'exact' if exact else f'AIS, 3-sigma [{low:.3f}, {high:.3f}]'},"
        f" {z_seconds:.1f} s)"
    )
    say(f"mean log-likelihood: train {ll_train:.3f} nats, test {ll_test:.3f} nats"
        f" (fit {fit_seconds:.1f} s)")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import plot_filters

    fig, ax = plt.subplots(figsize=(6, 6))
    plot_filters(rbm.components_, shape=shape, ax=ax,
                 title=f"RBM filters ({args.dataset}, {args.n_components} hidden)")
    fig.savefig(out / "rbm_filters.png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    summary = {
        "dataset": args.dataset,
        "n_components": args.n_components,
        "n_iter": args.n_iter,
        "log_z": log_z,
        "log_z_bounds": [low, high],
        "log_z_method": "exact" if exact else "ais",
        "train_log_likelihood": ll_train,
        "test_log_likelihood": ll_test,
        "fit_seconds": fit_seconds,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    say(f"wrote {out / 'rbm_filters.png'} and {out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
