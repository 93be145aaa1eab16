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


def _ints(what, minimum):
    """An argparse type: comma-separated integers of at least ``minimum``."""
    def parse(text):
        try:
            values = tuple(int(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be integers separated by commas, e.g. 1,2,4; got {text!r}") from None
        if not values or min(values) < minimum:
            raise argparse.ArgumentTypeError(
                f"{what} must be integers of at least {minimum}, separated by commas; "
                f"got {text!r}")
        return values
    return parse


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _names(what, choices):
    """An argparse type: comma-separated names from ``choices``."""
    def parse(text):
        names = tuple(t.strip() for t in text.split(",") if t.strip())
        unknown = [n for n in names if n not in choices]
        if not names or unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(map(repr, unknown)) or repr(text)}; choose from "
                f"{', '.join(choices)} (comma-separated)")
        return names
    return parse


def _budgets(text):
    out = []
    for t in (t.strip() for t in text.split(",")):
        if not t:
            continue
        if t == "all":
            out.append(None)
            continue
        try:
            out.append(_positive(t))
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"label budgets are positive integers or 'all', comma-separated, e.g. "
                f"100,1000,all; got {text!r}") from None
    return out


def build_parser():
    from .experiments.configs import LEARNING_RATE_GRID, METHODS

    p = argparse.ArgumentParser(
        prog="python -m deepbelief",
        usage="python -m deepbelief [study] [options]  |  python -m deepbelief rbm [options]",
        description="Greedy pretraining vs the vanishing gradient: run the study (the "
                    "default command; its options below) or fit one RBM "
                    "(python -m deepbelief rbm --help).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", title="commands", metavar="{study,rbm}")
    s = sub.add_parser("study", help="the vanishing-gradient study (default)",
                       prog="python -m deepbelief [study]",
                       description="Every method x depth x optimizer x seed on one data set, "
                                   "each method's step size chosen on a validation split; "
                                   "writes a report with figures.")
    _study_options(s, METHODS, LEARNING_RATE_GRID)

    r = sub.add_parser("rbm", help="fit an RBM, report its log-likelihood and filters",
                       prog="python -m deepbelief rbm")
    r.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    r.add_argument("--mnist-path", default=None)
    r.add_argument("--n-components", type=_positive, default=64, help="hidden units (default 64)")
    r.add_argument("--n-iter", type=_positive, default=50, help="epochs (default 50)")
    r.add_argument("--method", choices=["cd", "pcd"], default="cd")
    r.add_argument("--k", type=_positive, default=1, help="Gibbs steps per update")
    r.add_argument("--learning-rate", type=float, default=0.05)
    r.add_argument("--batch-size", type=_positive, default=20)
    r.add_argument("--ais-betas", type=_positive, default=14500)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", default="deepbelief-output", help="output folder")
    r.add_argument("-q", "--quiet", action="store_true")
    # the top-level help shows the default command's options too
    p.epilog = "study options (the default command):\n" + "\n".join(
        line for line in s.format_help().split("options:", 1)[-1].splitlines()[1:]
        if "--help" not in line)
    return p


def _study_options(s, methods, grid):
    s.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    s.add_argument("--mnist-path", default=None,
                   help="MNIST .npz (else $DEEPBELIEF_MNIST, ../shared/data, or a download)")
    s.add_argument("--n-train", type=_positive, default=None, help="MNIST: training subset size")
    s.add_argument("--depths", type=_ints("depths", 1), default=(1, 2, 4, 6, 8),
                   help="hidden layers, e.g. 1,2,4,6,8")
    s.add_argument("--methods", type=_names("method", tuple(methods)), default=None,
                   help=f"comma-separated, from: {', '.join(methods)} (default: all)")
    s.add_argument("--optimizers", type=_names("optimizer", tuple(grid)),
                   default=("momentum", "adam"), help="momentum, adam (default: both)")
    s.add_argument("--seeds", type=_ints("seeds", 0), default=(0, 1, 2))
    s.add_argument("--width", type=_positive, default=100)
    s.add_argument("--epochs", type=_positive, default=30, help="fine-tuning budget of every net")
    s.add_argument("--pretrain-epochs", type=_positive, default=40)
    s.add_argument("--budgets", type=_budgets, default=[100, 1000, None],
                   help="label budgets, e.g. 100,1000,10000,all ('' to skip)")
    s.add_argument("--out", default="deepbelief-report", help="output folder")
    s.add_argument("-q", "--quiet", action="store_true")


def _say(quiet):
    return (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))


class TimeLeft:
    """The time left of a list of jobs, from measured times: seconds per unit of
    weight (hidden layers x rows x epochs) of the fits done so far, per method,
    and the mean time of the greedy pretraining runs done so far.  An optional
    job (a step past the grid's edge) counts at the share of the optional jobs
    so far that did run (one half before any has)."""

    def __init__(self, jobs):
        self.jobs = jobs
        self.rate = {}  # method -> [seconds, weight]
        self.stacks = []
        self.optional = [0, 0]  # optional jobs run, skipped

    def update(self, job, seconds):
        if job.optional:
            self.optional[job.skipped] += 1
            if job.skipped:
                return
        if job.stage == "pretraining":
            self.stacks.append(seconds)
        elif job.weight:
            spent = self.rate.setdefault(job.method, [0.0, 0.0])
            spent[0] += seconds
            spent[1] += job.weight

    def seconds(self, done):
        total = [sum(v[0] for v in self.rate.values()), sum(v[1] for v in self.rate.values())]
        if not total[1]:
            return None
        left = 0.0
        for job in self.jobs[done:]:
            if job.stage == "pretraining":
                if not self.stacks:
                    return None
                left += sum(self.stacks) / len(self.stacks)
            else:
                s, w = self.rate.get(job.method, total)
                share = (self.optional[0] / sum(self.optional) if sum(self.optional) else 0.5) \
                    if job.optional else 1.0
                left += share * job.weight * s / w
        return left


def run_study_command(args, parser):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from .experiments import METHODS, StudyConfig, load_dataset, write_report
    from .experiments.runner import label_budget_jobs, run_jobs, study_jobs

    say = _say(args.quiet)
    methods = args.methods or tuple(METHODS)
    cfg = StudyConfig(width=args.width, epochs=args.epochs, pretrain_epochs=args.pretrain_epochs)
    try:
        data = load_dataset(args.dataset, args.mnist_path, args.n_train)
    except (OSError, ValueError) as error:  # a missing file, no network, a bad .npz
        parser.error(f"could not load {args.dataset}: {str(error).rstrip('.')}. Give "
                     "--mnist-path (or set $DEEPBELIEF_MNIST) to an .npz with X_train, "
                     "y_train, X_test, y_test.")
    say(f"data: {args.dataset}, train {data[0].shape}, test {data[1].shape}")
    commit = _commit()  # the code that runs (HEAD may move while it does)
    state = {}
    jobs = study_jobs(data, depths=args.depths, methods=methods, optimizers=args.optimizers,
                      seeds=args.seeds, config=cfg, state=state)
    n_study = len(jobs)
    budgets = args.budgets if "dbn" in methods else []
    if budgets:
        jobs += label_budget_jobs(data, state, budgets=budgets, depth=min(4, max(args.depths)),
                                  seeds=args.seeds, optimizer=args.optimizers[0], config=cfg)
    say(f"{len(jobs)} jobs: greedy pretraining, the step-size choice on a validation split, "
        "and the measured fits")
    start = time.perf_counter()
    clock = TimeLeft(jobs)

    def progress(i, jobs, job, res, seconds):
        clock.update(job, seconds)
        if res is None:
            return
        elapsed = time.perf_counter() - start
        left = clock.seconds(i)
        eta = f", about {left:.0f} s left" if left is not None else ""
        what = (f"{res['method']:18s} {res['optimizer']:8s} depth {res['depth']}"
                if "depth" in res else f"{res['method']:18s} {res['budget']} labels")
        say(f"[{i}/{len(jobs)}] {what} seed {res['seed']} (step {res['learning_rate']:g}): "
            f"test error {100 * res['test_error']:5.2f} %  ({elapsed:.0f} s{eta})")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        out = run_jobs(jobs, progress)
    results, budget_results = out[:_count(jobs[:n_study])], out[_count(jobs[:n_study]):]
    shape = (8, 8) if args.dataset == "digits" else (28, 28)
    meta = {"dataset": args.dataset, "train rows": len(data[2]), "test rows": len(data[3]),
            "width": cfg.width, "fine-tuning epochs": cfg.epochs, "batch": cfg.batch_size,
            "pretraining epochs per layer": cfg.pretrain_epochs, "seeds": list(args.seeds),
            "wall seconds": round(time.perf_counter() - start, 1),
            "BLAS threads": _blas_threads(),
            "command": " ".join(["python -m deepbelief",
                                 *(sys.argv[1:] if args.argv is None else args.argv)]),
            "commit": commit}
    report = write_report(args.out, results, stacks=state["stacks"],
                          budget_results=budget_results or None, meta=meta, image_shape=shape)
    from .experiments import results_table

    say("\nTest error (%):\n" + results_table(results))
    say(f"\nReport: {report} (figures beside it), {meta['wall seconds']} s in all")
    return 0


def _blas_threads():
    from threadpoolctl import threadpool_info

    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else None


def _commit():
    """The checkout's short commit when run from a git checkout (else None)."""
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _count(jobs):
    return sum(job.stage in ("study", "label budget") for job in jobs)


def run_rbm_command(args, parser):
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
        try:
            X_train, _, X_test, _ = load_mnist(args.mnist_path)
        except (OSError, ValueError) as error:
            parser.error(f"could not load mnist: {str(error).rstrip('.')}. Give "
                         "--mnist-path (or set $DEEPBELIEF_MNIST).")
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
    given = None if argv is None else list(argv)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["study", *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = given
    if args.command == "rbm":
        return run_rbm_command(args, parser)
    return run_study_command(args, parser)


if __name__ == "__main__":
    sys.exit(main())
