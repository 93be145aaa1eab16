"""Command line of deepbelief.

``python -m deepbelief`` (or ``python -m deepbelief study``) runs the
vanishing-gradient study on the bundled digits and writes a report;
``python -m deepbelief rbm`` fits one RBM and reports its log-likelihood.
"""

import argparse
import json
import sys
import time
from pathlib import Path

COMMANDS = ("study", "rbm")


def _ints(text):
    return tuple(int(t) for t in text.split(",") if t)


def _names(text):
    return tuple(t for t in text.split(",") if t)


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m deepbelief",
        description="Greedy pretraining vs the vanishing gradient: run the study (default) "
                    "or fit one RBM.",
    )
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("study", help="the vanishing-gradient study (default)")
    s.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    s.add_argument("--mnist-path", default=None, help="MNIST .npz (else $DEEPBELIEF_MNIST or fetch)")
    s.add_argument("--n-train", type=int, default=None, help="MNIST: training subset size")
    s.add_argument("--depths", type=_ints, default=(1, 2, 4, 6, 8), help="e.g. 1,2,4,6,8")
    s.add_argument("--methods", type=_names, default=None,
                   help="comma-separated, from: sigmoid_normal, sigmoid_glorot, relu_he, "
                        "leaky_relu_he, dbn, sdae, sigmoid_batchnorm, relu_residual (default: all)")
    s.add_argument("--optimizers", type=_names, default=("momentum", "adam"))
    s.add_argument("--seeds", type=_ints, default=(0, 1, 2))
    s.add_argument("--width", type=int, default=100)
    s.add_argument("--epochs", type=int, default=30, help="fine-tuning budget of every net")
    s.add_argument("--pretrain-epochs", type=int, default=40)
    s.add_argument("--budgets", default="100,1000,all",
                   help="label budgets, e.g. 100,1000,10000,all ('' to skip)")
    s.add_argument("--out", default="deepbelief-report", help="output folder")
    s.add_argument("-q", "--quiet", action="store_true")

    r = sub.add_parser("rbm", help="fit an RBM, report its log-likelihood and filters")
    r.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    r.add_argument("--mnist-path", default=None)
    r.add_argument("--n-components", type=int, default=64, help="hidden units (default 64)")
    r.add_argument("--n-iter", type=int, default=50, help="epochs (default 50)")
    r.add_argument("--method", choices=["cd", "pcd"], default="cd")
    r.add_argument("--k", type=int, default=1, help="Gibbs steps per update")
    r.add_argument("--learning-rate", type=float, default=0.05)
    r.add_argument("--batch-size", type=int, default=20)
    r.add_argument("--ais-betas", type=int, default=14500)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", default="deepbelief-output", help="output folder")
    r.add_argument("-q", "--quiet", action="store_true")
    return p


def _say(quiet):
    return (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))


def run_study_command(args):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from .experiments import (
        METHODS,
        StudyConfig,
        label_budget_study,
        load_dataset,
        run_study,
        write_report,
    )

    say = _say(args.quiet)
    methods = args.methods or tuple(METHODS)
    cfg = StudyConfig(width=args.width, epochs=args.epochs, pretrain_epochs=args.pretrain_epochs)
    data = load_dataset(args.dataset, args.mnist_path, args.n_train)
    say(f"data: {args.dataset}, train {data[0].shape}, test {data[1].shape}")
    start = time.perf_counter()

    def progress(i, n, res):
        elapsed = time.perf_counter() - start
        eta = f", about {elapsed / i * (n - i):.0f} s left" if n else ""
        what = (f"{res['method']:18s} {res['optimizer']:8s} depth {res['depth']}"
                if "depth" in res else f"{res['method']:18s} {res['budget']} labels")
        say(f"[{i}/{n or '?'}] {what} seed {res['seed']}: test error "
            f"{100 * res['test_error']:5.2f} %  ({elapsed:.0f} s{eta})")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results, stacks = run_study(data, depths=args.depths, methods=methods,
                                    optimizers=args.optimizers, seeds=args.seeds, config=cfg,
                                    progress=progress)
        budgets = [None if b == "all" else int(b) for b in args.budgets.split(",") if b]
        budget_results = None
        if budgets and "dbn" in methods:
            say("label budget: pretrained vs random init")
            budget_results = label_budget_study(
                data, stacks, budgets=budgets, depth=min(4, max(args.depths)), seeds=args.seeds,
                optimizer=args.optimizers[0], config=cfg, progress=progress)
    shape = (8, 8) if args.dataset == "digits" else (28, 28)
    meta = {"dataset": args.dataset, "train rows": len(data[2]), "test rows": len(data[3]),
            "width": cfg.width, "fine-tuning epochs": cfg.epochs, "batch": cfg.batch_size,
            "pretraining epochs per layer": cfg.pretrain_epochs, "seeds": list(args.seeds),
            "wall seconds": round(time.perf_counter() - start, 1)}
    report = write_report(args.out, results, stacks=stacks, budget_results=budget_results,
                          meta=meta, image_shape=shape)
    from .experiments import results_table

    say("\nTest error (%):\n" + results_table(results))
    say(f"\nReport: {report} (figures beside it), {meta['wall seconds']} s in all")
    return 0


def run_rbm_command(args):
    from sklearn.model_selection import train_test_split

    from . import RBM
    from .datasets import binarize_stochastic, load_digits_unit, load_mnist
    from .plotting import figure, plot_filters, save_figure

    say = _say(args.quiet)
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
    rbm = RBM(n_components=args.n_components, n_iter=args.n_iter, method=args.method, k=args.k,
              learning_rate=args.learning_rate, batch_size=args.batch_size, momentum=0.5,
              learning_rate_schedule="linear", ais_betas=args.ais_betas, random_state=args.seed,
              verbose=0 if args.quiet else 1)
    t0 = time.perf_counter()
    rbm.fit(X_train)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    log_z, (low, high) = rbm.log_partition(return_bounds=True)
    ll_train, ll_test = rbm.score(X_train), rbm.score(X_test)
    exact = low == high
    say(f"log Z = {log_z:.3f} ({'exact' if exact else f'AIS, 3-sigma [{low:.3f}, {high:.3f}]'},"
        f" {time.perf_counter() - t0:.1f} s)")
    say(f"mean log-likelihood: train {ll_train:.3f} nats, test {ll_test:.3f} nats"
        f" (fit {fit_seconds:.1f} s)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig, axes = figure(1, 1, size=(6, 6))
    plot_filters(rbm.components_, shape=shape, ax=axes[0][0],
                 title=f"RBM filters ({args.dataset}, {args.n_components} hidden)")
    save_figure(fig, out / "rbm_filters.png")
    summary = {"dataset": args.dataset, "n_components": args.n_components, "n_iter": args.n_iter,
               "log_z": log_z, "log_z_bounds": [low, high],
               "log_z_method": "exact" if exact else "ais", "train_log_likelihood": ll_train,
               "test_log_likelihood": ll_test, "fit_seconds": fit_seconds}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    say(f"wrote {out / 'rbm_filters.png'} and {out / 'summary.json'}")
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["study", *argv]
    args = build_parser().parse_args(argv)
    return run_rbm_command(args) if args.command == "rbm" else run_study_command(args)


if __name__ == "__main__":
    sys.exit(main())
