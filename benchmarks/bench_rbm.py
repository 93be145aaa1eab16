"""Speed of RBM training and AIS on MNIST, beside scikit-learn and the matmul floor.

One CD-1 epoch of a 784 -> 500 RBM on the 60,000 MNIST training images (batch
100, float32), timed in one process, interleaved over several rounds:

- floor: the bare numpy products any CD-1 epoch must do (``v W``, ``h W^T``,
  ``v' W`` and the gradient ``[v; v']^T [h; -h']``), nothing else;
- deepbelief ``RBM`` with ``method="cd"`` (CD-1) and ``method="pcd"`` (PCD-1,
  one more product per batch), timed by ``history_["seconds"]`` (the epoch
  alone) and by the whole ``fit`` call (validation and monitoring included);
- scikit-learn's ``BernoulliRBM`` (PCD-1) on the same float32 data, and once on
  float64.

Then ``log_partition(method="ais")`` with 100 chains x 14,500 inverse
temperatures, beside its own matmul floor (two products per temperature).

    python benchmarks/bench_rbm.py [--rounds 5] [--ais-rounds 2] [--mnist PATH]
"""

import argparse
import time
from statistics import median

import numpy as np
from sklearn.neural_network import BernoulliRBM

from deepbelief import RBM
from deepbelief.datasets import load_mnist

from _record import write_json

H, B = 500, 100


def floor_epoch(X, W):
    n, D = X.shape
    rng = np.random.default_rng(0)
    h = np.empty((B, H), X.dtype)
    V2 = (rng.random((2 * B, D)) < 0.2).astype(X.dtype)  # realistic values: no garbage
    H2 = rng.random((2 * B, H)).astype(X.dtype)
    G = np.zeros((D, H), X.dtype)
    t0 = time.perf_counter()
    for s in range(0, n, B):
        v = X[s : s + B]
        np.matmul(v, W, out=h)
        np.matmul(h, W.T, out=V2[B:])
        np.matmul(V2[B:], W, out=H2[B:])
        np.matmul(V2.T, H2, out=G)
    return time.perf_counter() - t0


def ours(X, method):
    rbm = RBM(n_components=H, batch_size=B, n_iter=1, learning_rate=0.05, method=method,
              random_state=0)
    t0 = time.perf_counter()
    rbm.fit(X)
    return rbm.history_["seconds"][0], time.perf_counter() - t0, rbm


def sklearn_epoch(X):
    rbm = BernoulliRBM(n_components=H, batch_size=B, n_iter=1, learning_rate=0.05,
                       random_state=0)
    t0 = time.perf_counter()
    rbm.fit(X)
    return time.perf_counter() - t0


def fmt(xs):
    return f"min {min(xs):6.2f} s  median {median(xs):6.2f} s"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--ais-rounds", type=int, default=2)
    p.add_argument("--no-float64", action="store_true", help="skip sklearn on float64")
    p.add_argument("--json", default=None, help="write the timings, medians and ratios here")
    args = p.parse_args()

    X, _, _, _ = load_mnist(args.mnist)  # float32 in [0, 1]
    W = (0.01 * np.random.default_rng(0).standard_normal((X.shape[1], H))).astype(np.float32)
    t = {k: [] for k in ("floor", "cd1", "cd1_fit", "pcd1", "pcd1_fit", "sklearn")}
    for r in range(args.rounds):
        t["floor"].append(floor_epoch(X, W))
        e, f, rbm = ours(X, "cd")
        t["cd1"].append(e)
        t["cd1_fit"].append(f)
        e, f, _ = ours(X, "pcd")
        t["pcd1"].append(e)
        t["pcd1_fit"].append(f)
        t["sklearn"].append(sklearn_epoch(X))
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in t.items()), flush=True)
    sk64 = None if args.no_float64 else sklearn_epoch(X.astype(np.float64))

    floor = median(t["floor"])
    print("\nOne CD-1 epoch, MNIST 60000x784 -> 500, batch 100, float32 "
          f"({args.rounds} interleaved rounds)")
    print(f"  matmul floor               {fmt(t['floor'])}")
    for key, name in (("cd1", "deepbelief CD-1 (epoch)"), ("cd1_fit", "deepbelief CD-1 (fit call)"),
                      ("pcd1", "deepbelief PCD-1 (epoch)"), ("pcd1_fit", "deepbelief PCD-1 (fit call)"),
                      ("sklearn", "sklearn BernoulliRBM PCD-1")):
        m = median(t[key])
        print(f"  {name:27s}{fmt(t[key])}   {m / floor:4.2f}x floor"
              + ("" if key == "sklearn" else f"   {m / median(t['sklearn']):4.2f}x sklearn"))
    # the floor and our epoch run back to back in each round: their ratio within
    # a round is less exposed to the slow drifts of a shared machine
    per_round = [c / f for c, f in zip(t["cd1"], t["floor"])]
    print(f"  CD-1 / floor: median of per-round ratios {median(per_round):4.2f}x, "
          f"min over min {min(t['cd1']) / min(t['floor']):4.2f}x")
    # Outside load on the shared host shows in the floor itself; on an
    # oversubscribed core our epoch (two-thread products alternating with
    # one-thread elementwise work) slows more than the back-to-back products.
    # So the rounds whose floor is within 5 % of the fastest are reported apart.
    quiet = [r for r, f in enumerate(t["floor"]) if f <= 1.05 * min(t["floor"])]
    loaded = [r for r in range(len(per_round)) if r not in quiet]
    print(f"  quiet rounds (floor within 5 % of its minimum): {len(quiet)} of {len(per_round)}, "
          f"CD-1 / floor median {median(per_round[r] for r in quiet):4.2f}x "
          f"(ours {median(t['cd1'][r] for r in quiet):.2f} s, floor "
          f"{median(t['floor'][r] for r in quiet):.2f} s)")
    if loaded:
        print(f"  other rounds: CD-1 / floor median {median(per_round[r] for r in loaded):4.2f}x")
    if sk64 is not None:
        print(f"  sklearn BernoulliRBM float64: {sk64:.2f} s ({sk64 / floor:.2f}x floor)")

    # AIS on the model fitted above (one CD-1 epoch)
    n_chains, n_betas = 100, 14500
    a = np.random.default_rng(1).random((n_chains, X.shape[1]), dtype=np.float32)
    Wm = np.ascontiguousarray(rbm.components_.T)
    WmT = np.ascontiguousarray(Wm.T)  # the best layout for each product, as AIS uses
    hbuf = np.empty((n_chains, H), np.float32)
    vbuf = np.empty((n_chains, X.shape[1]), np.float32)
    ais, ais_floor = [], []
    for r in range(args.ais_rounds):
        t0 = time.perf_counter()
        for _ in range(n_betas):
            np.matmul(a, Wm, out=hbuf)
            np.matmul(hbuf, WmT, out=vbuf)
        ais_floor.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        log_z, (lo, hi) = rbm.log_partition("ais", n_chains=n_chains, n_betas=n_betas,
                                            random_state=r, return_bounds=True)
        ais.append(time.perf_counter() - t0)
        print(f"AIS round {r + 1}: {ais[-1]:.2f} s (floor {ais_floor[-1]:.2f} s), "
              f"log Z = {log_z:.2f} [{lo:.2f}, {hi:.2f}]", flush=True)
    print(f"\nAIS, {n_chains} chains x {n_betas} temperatures, 784x500 float32")
    print(f"  matmul floor  {fmt(ais_floor)}")
    print(f"  deepbelief    {fmt(ais)}   {median(ais) / median(ais_floor):4.2f}x floor")
    medians = {k: median(v) for k, v in t.items()}
    write_json(args.json, {
        "rounds": args.rounds, "seconds": t, "medians": medians,
        "cd1_over_floor": medians["cd1"] / floor, "cd1_over_sklearn": medians["cd1"] / medians["sklearn"],
        "cd1_over_floor_per_round_median": median(per_round),
        "sklearn_float64": sk64, "ais_seconds": ais, "ais_floor_seconds": ais_floor,
        "ais_over_floor": median(ais) / median(ais_floor)}, __file__)


if __name__ == "__main__":
    main()
