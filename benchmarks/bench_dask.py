"""Past one machine: a grid search on a Dask cluster, and an RBM trained out of core.

1. ``grid``: ``GridSearchCV`` of 8 ``DBNClassifier`` candidates (5-fold) on the
   digits, once with joblib's ``loky`` backend (``n_jobs=2``) and once with
   the ``dask`` backend on a ``distributed.LocalCluster`` of 2 worker
   processes of 1 thread each (distributed starts its workers with one BLAS
   thread, as loky limits its own).  Wall time of the search (the cluster's
   start apart), median of ``--repeats``; both must choose the same candidate
   with the same scores.
2. ``out-of-core``: an RBM on MNIST's 60,000 training rows, each mode in a
   fresh process: ``in-memory`` reads the float32 training matrix from disk
   whole and calls ``fit``; ``out-of-core`` wraps the same RBM in
   ``dask_ml.wrappers.Incremental`` over a dask array that reads the file in
   blocks (dask's local threaded scheduler, with one worker thread:
   with two, the free thread reads every block ahead of the chain of
   ``partial_fit`` calls, and the peak grows by the whole data) and makes
   ``--epochs`` passes of ``partial_fit`` over shuffled blocks.  Wall time, peak RSS of the process
   (``VmHWM``), its RSS after the imports, and the test log-likelihood
   (AIS, the model's own seed).

    python benchmarks/bench_dask.py --json benchmarks/results/dask.json
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from _record import ROOT, write_json

BLOCK_ROWS = 6000
THREADS = int(os.environ.get("BENCH_DASK_THREADS", "1"))
RBM_SETTINGS = dict(n_components=100, method="pcd", learning_rate=0.05, batch_size=100,
                    learning_rate_schedule="constant")
GRID = {"hidden_layer_sizes": [(64,), (128,), (64, 64), (128, 128)],
        "learning_rate_init": [0.05, 0.1]}


def rss_mb():
    """Peak resident memory of this process so far, in MB: Linux's ``VmHWM``
    (``ru_maxrss`` would keep the parent's peak across fork and exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ------------------------------------------------------------------ grid
def grid_search(backend, repeats):
    from joblib import parallel_config
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from deepbelief import DBNClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16
    make = lambda: GridSearchCV(DBNClassifier(random_state=0), GRID, cv=5,  # noqa: E731
                                n_jobs=2 if backend == "loky" else -1)
    times, search, start = [], None, None
    cluster = client = None
    if backend == "dask":
        import distributed

        t0 = time.perf_counter()
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        start = time.perf_counter() - t0
    try:
        with warnings.catch_warnings(), parallel_config(backend=backend):
            warnings.simplefilter("ignore", ConvergenceWarning)
            for _ in range(repeats):
                t0 = time.perf_counter()
                search = make().fit(X, y)
                times.append(time.perf_counter() - t0)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return {"backend": backend, "seconds": times, "median_seconds": statistics.median(times),
            "cluster_start_seconds": start, "best_params": {k: str(v) for k, v in
                                                            search.best_params_.items()},
            "best_score": float(search.best_score_),
            "mean_test_scores": [float(s) for s in search.cv_results_["mean_test_score"]]}


# ----------------------------------------------------------- out of core
def write_training_matrix(folder):
    """MNIST's training rows as one raw float32 file in [0, 1] (what both modes read)."""
    sys.path.insert(0, str(ROOT))
    from deepbelief.datasets import find_mnist

    data = np.load(find_mnist())
    path = os.path.join(folder, "mnist_train.f32")
    (data["X_train"].astype(np.float32) / 255).tofile(path)
    test = os.path.join(folder, "mnist_test.f32")
    (data["X_test"].astype(np.float32) / 255).tofile(test)
    return path, test, data["X_train"].shape


def read_rows(path, start, stop, d):
    """Rows ``start:stop`` of the raw float32 matrix, read (not mapped) from disk."""
    with open(path, "rb") as f:
        f.seek(start * d * 4)
        return np.fromfile(f, dtype=np.float32, count=(stop - start) * d).reshape(-1, d)


def one_mode(mode, path, test, n, d, epochs, seed):
    """Runs in a fresh process: fit one way, print the figures."""
    if mode == "out-of-core":
        import dask
        import dask.array as da
        from dask_ml.wrappers import Incremental
    from deepbelief import RBM

    imported = current_rss_mb()
    t0 = time.perf_counter()
    rbm = RBM(n_iter=epochs, random_state=seed, **RBM_SETTINGS)
    if mode == "in-memory":
        X = read_rows(path, 0, n, d)
        rbm.fit(X)
        del X
    else:
        blocks = [da.from_delayed(dask.delayed(read_rows)(path, s, min(s + BLOCK_ROWS, n), d),
                                  shape=(min(s + BLOCK_ROWS, n) - s, d), dtype=np.float32)
                  for s in range(0, n, BLOCK_ROWS)]
        Xd = da.concatenate(blocks)
        with dask.config.set(scheduler="threads", num_workers=THREADS):
            inc = Incremental(rbm, shuffle_blocks=True, random_state=seed).fit(Xd)
            for _ in range(epochs - 1):
                inc.partial_fit(Xd)
        rbm = inc.estimator_
    seconds = time.perf_counter() - t0
    peak_training = rss_mb()
    X_test = read_rows(test, 0, 10000, d)
    t1 = time.perf_counter()
    ll = float(rbm.score_samples(X_test).mean())
    return {"mode": mode, "seed": seed, "train_seconds": seconds, "rss_after_imports_mb": imported,
            "peak_rss_training_mb": peak_training, "peak_rss_mb": rss_mb(),
            "test_log_likelihood": ll, "ais_seconds": time.perf_counter() - t1,
            "epochs_recorded": len(rbm.history_["seconds"])}


def out_of_core(epochs, repeats, seeds):
    """``repeats`` runs of each mode at the first seed (times, memory), one at each other
    seed (the spread of the test log-likelihood from one seed to another)."""
    with tempfile.TemporaryDirectory() as folder:
        path, test, (n, d) = write_training_matrix(folder)
        runs = []
        for seed in [seeds[0]] * repeats + list(seeds[1:]):
            for mode in ("in-memory", "out-of-core"):
                out = subprocess.run([sys.executable, __file__, "--one", mode, path, test, str(n),
                                      str(d), str(epochs), str(seed)], capture_output=True,
                                     text=True,
                                     cwd=ROOT / "benchmarks", env=dict(
                                         os.environ, DASK_TEMPORARY_DIRECTORY=folder))
                if out.returncode:
                    raise RuntimeError(out.stderr[-3000:])
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(runs[-1], flush=True)
    summary = {}
    for mode in ("in-memory", "out-of-core"):
        mine = [r for r in runs if r["mode"] == mode and r["seed"] == seeds[0]]
        summary[mode] = {k: statistics.median(r[k] for r in mine) for k in
                         ("train_seconds", "peak_rss_mb", "peak_rss_training_mb",
                          "rss_after_imports_mb", "test_log_likelihood")}
        per_seed = {r["seed"]: r["test_log_likelihood"] for r in runs if r["mode"] == mode}
        summary[mode]["test_log_likelihood_by_seed"] = per_seed
        summary[mode]["test_log_likelihood_mean"] = statistics.mean(per_seed.values())
    data_mb = n * d * 4 / 2**20
    summary["data_mb"] = data_mb
    summary["peak_rss_saved_mb"] = (summary["in-memory"]["peak_rss_mb"]
                                    - summary["out-of-core"]["peak_rss_mb"])
    summary["goal_met_memory"] = summary["peak_rss_saved_mb"] >= data_mb / 2
    summary["log_likelihood_gap"] = (summary["in-memory"]["test_log_likelihood"]
                                     - summary["out-of-core"]["test_log_likelihood"])
    summary["goal_met_likelihood"] = abs(summary["log_likelihood_gap"]) <= 1.0
    summary["log_likelihood_gap_of_means"] = (summary["in-memory"]["test_log_likelihood_mean"]
                                              - summary["out-of-core"]["test_log_likelihood_mean"])
    return {"runs": runs, "summary": summary}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="the RBM's seeds (the first is repeated for the medians)")
    parser.add_argument("--only", choices=["grid", "out-of-core"])
    parser.add_argument("--one", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        mode, path, test, n, d, epochs, seed = args.one
        print(json.dumps(one_mode(mode, path, test, int(n), int(d), int(epochs), int(seed))))
        return
    result = {"settings": {"grid": {k: [str(v) for v in vs] for k, vs in GRID.items()},
                           "cv": 5, "rbm": RBM_SETTINGS, "epochs": args.epochs,
                           "block_rows": BLOCK_ROWS, "repeats": args.repeats,
                           "seeds": args.seeds, "dask_threads": THREADS}}
    if args.only in (None, "grid"):
        result["grid"] = [grid_search(b, args.repeats) for b in ("loky", "dask")]
        for r in result["grid"]:
            print(f"grid search, {r['backend']}: median {r['median_seconds']:.1f} s "
                  f"(cluster start {r['cluster_start_seconds'] or 0:.1f} s), best "
                  f"{r['best_params']} {r['best_score']:.4f}", flush=True)
        result["grid_same_results"] = (result["grid"][0]["mean_test_scores"]
                                       == result["grid"][1]["mean_test_scores"])
    if args.only in (None, "out-of-core"):
        result["out_of_core"] = out_of_core(args.epochs, args.repeats, args.seeds)
        s = result["out_of_core"]["summary"]
        for mode in ("in-memory", "out-of-core"):
            m = s[mode]
            print(f"RBM on MNIST, {mode}: {m['train_seconds']:.1f} s, peak RSS "
                  f"{m['peak_rss_mb']:.0f} MB, test log-likelihood "
                  f"{m['test_log_likelihood']:.2f} nats (mean over seeds "
                  f"{m['test_log_likelihood_mean']:.2f})")
        print(f"peak RSS saved: {s['peak_rss_saved_mb']:.0f} MB (data {s['data_mb']:.0f} MB)")
    write_json(args.json, result, __file__, argv)


if __name__ == "__main__":
    main()
