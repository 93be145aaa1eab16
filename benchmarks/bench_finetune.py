"""Speed of one fine-tuning epoch of 784-500-500-2000-10 on MNIST, beside
scikit-learn's ``MLPClassifier`` and the bare matmul floor.

Batch 100, float32, logistic hidden units, SGD with momentum 0.9, learning
rate 0.1, one epoch each, several interleaved rounds (min and median).  The
floor is the 11 products any backprop epoch of this net does (4 forward, 4
weight gradients, 3 deltas).  Also times greedy pretraining per layer
(10 CD-1 epochs would be 10x the figures printed).

    python benchmarks/bench_finetune.py [--rounds 3] [--mnist PATH]
"""

import argparse
import time
import warnings
from statistics import median

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from deepbelief import RBM, DeepNetClassifier
from deepbelief.datasets import load_mnist

from _record import write_json

SIZES = (500, 500, 2000)
B = 100


def floor_epoch(X):
    rng = np.random.default_rng(0)
    dims = [X.shape[1], *SIZES, 10]
    Ws = [(0.01 * rng.standard_normal((i, o))).astype(np.float32) for i, o in zip(dims, dims[1:])]
    t0 = time.perf_counter()
    for s in range(0, X.shape[0], B):
        acts = [X[s : s + B]]
        for W in Ws:
            acts.append(acts[-1] @ W)
        delta = acts[-1]
        for layer in range(len(Ws) - 1, -1, -1):
            _ = acts[layer].T @ delta
            if layer:
                delta = delta @ Ws[layer].T
    return time.perf_counter() - t0


def ours(X, y):
    clf = DeepNetClassifier(SIZES, activation="sigmoid", init="glorot_uniform", solver="momentum",
                            learning_rate_init=0.1, momentum=0.9, batch_size=B, max_iter=1,
                            random_state=0)
    t0 = time.perf_counter()
    clf.fit(X, y)
    return clf.history_["seconds"][0], time.perf_counter() - t0


def sklearn_epoch(X, y):
    clf = MLPClassifier(SIZES, activation="logistic", solver="sgd", learning_rate_init=0.1,
                        momentum=0.9, nesterovs_momentum=False, batch_size=B, max_iter=1,
                        random_state=0)
    t0 = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", default=None, help="write the timings, medians and ratios here")
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, _, _ = load_mnist(args.mnist)
    t = {"floor": [], "ours": [], "ours_fit": [], "sklearn": []}
    for r in range(args.rounds):
        t["floor"].append(floor_epoch(X))
        e, f = ours(X, y)
        t["ours"].append(e)
        t["ours_fit"].append(f)
        t["sklearn"].append(sklearn_epoch(X, y))
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in t.items()), flush=True)
    floor, sk = median(t["floor"]), median(t["sklearn"])
    print(f"\nOne fine-tuning epoch, MNIST 784-500-500-2000-10, batch 100, float32 "
          f"({args.rounds} interleaved rounds)")
    for key, name in (("floor", "matmul floor"), ("ours", "deepbelief (epoch)"),
                      ("ours_fit", "deepbelief (fit call)"), ("sklearn", "sklearn MLPClassifier")):
        m = median(t[key])
        print(f"  {name:24s} min {min(t[key]):6.2f} s  median {m:6.2f} s   {m / floor:4.2f}x floor"
              f"   {m / sk:4.2f}x sklearn")

    # pretraining: one CD-1 epoch per layer of the DBN
    data, pretrain = X, {}
    print("\nGreedy pretraining, one CD-1 epoch per layer (batch 100, float32):")
    for size in SIZES:
        rbm = RBM(n_components=size, method="cd", batch_size=B, n_iter=1, learning_rate=0.05,
                  momentum=0.5, random_state=0)
        rbm.fit(data)
        pretrain[f"{data.shape[1]}-{size}"] = rbm.history_["seconds"][0]
        print(f"  {data.shape[1]:4d} -> {size:4d}: {rbm.history_['seconds'][0]:.2f} s")
        data = rbm.transform(data)
    medians = {k: median(v) for k, v in t.items()}
    write_json(args.json, {"rounds": args.rounds, "seconds": t, "medians": medians,
                           "ours_over_floor": medians["ours"] / floor,
                           "ours_over_sklearn": medians["ours"] / sk,
                           "pretrain_epoch_seconds": pretrain}, __file__)


if __name__ == "__main__":
    main()
