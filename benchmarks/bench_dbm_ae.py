"""Time per epoch of the DBM and the autoencoders on MNIST, beside the DBN's and peers.

One epoch each (60,000 rows, batch 100, float32), several interleaved rounds,
min and median:

* DBN: one CD-1 epoch of the first RBM (784 -> 500) and one fine-tuning epoch
  of 784-500-500-2000-10 (the DBN benchmark's figures, re-measured here);
* DBM 784-500-1000: one joint-training epoch (10 and 5 mean-field sweeps) from
  random weights, beside the bare products that epoch needs (its matmul floor),
  and (``--dbm``) one more epoch of a trained DBM;
* autoencoders: one epoch of a denoising autoencoder layer 784 -> 1000 (tied)
  beside scikit-learn's ``MLPRegressor((1000,))`` fitted on ``(X, X)`` for one
  epoch (the same one-hidden-layer autoencoder without noise, untied);
  one fine-tuning epoch of the deep autoencoder 784-1000-500-250-30-...-784
  (Adam) and of the SdA classifier 784-1000-1000-1000-10 (SGD + momentum).

    python benchmarks/bench_dbm_ae.py [--rounds 3] [--only DBM] [--dbm dbm.pkl]
"""

import argparse
import time
import warnings
from statistics import median

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from deepbelief import DBM, RBM, DeepNetClassifier, StackedAutoencoder
from deepbelief.datasets import load_mnist
from deepbelief.math.autoencoder import init_autoencoder
from deepbelief.training.autoencoder import AEConfig, AEState, train_autoencoder

from _record import write_json

B = 100


def dbm_floor(X, n_mf, rng):
    """The products of one joint epoch of 784-500-1000 (batch and particles of 100)."""
    W1 = (0.01 * rng.standard_normal((784, 500))).astype(np.float32)
    W2 = (0.01 * rng.standard_normal((500, 1000))).astype(np.float32)
    h1 = np.full((B, 500), 0.5, np.float32)
    h2 = np.full((B, 1000), 0.5, np.float32)
    t0 = time.perf_counter()
    for s in range(0, X.shape[0], B):
        v = X[s : s + B]
        _ = v @ W1  # bottom-up input, once
        _ = h1 @ W2  # recognition pass, top layer
        for _ in range(n_mf):
            _ = h2 @ W2.T
            _ = h1 @ W2
        _ = h1 @ W1.T, h1 @ W2, v @ W1, h2 @ W2.T  # one Gibbs sweep of the particles
        _ = v.T @ h1, h1.T @ h2, v.T @ h1, h1.T @ h2  # statistics, data and model
    return time.perf_counter() - t0


def dbm_epoch(X, n_mf):
    dbm = DBM((500, 1000), pretrain_n_iter=0, n_iter=1, n_mean_field=n_mf, random_state=0)
    dbm.fit(X)
    return dbm.history_["seconds"][0]


def trained_dbm_epoch(X, path):
    """One more joint epoch of a fitted DBM (``joblib`` file from ``mnist_dbm.py --save``)."""
    import joblib

    dbm = joblib.load(path)
    dbm.set_params(warm_start=True, n_iter=1, verbose=0)
    dbm.fit(X)
    return dbm.history_["seconds"][-1]


def rbm_epoch(X):
    rbm = RBM(500, method="cd", batch_size=B, n_iter=1, learning_rate=0.05, momentum=0.5,
              random_state=0).fit(X)
    return rbm.history_["seconds"][0]


def dbn_finetune_epoch(X, y):
    clf = DeepNetClassifier((500, 500, 2000), activation="sigmoid", solver="momentum",
                            learning_rate_init=0.1, batch_size=B, max_iter=1, random_state=0)
    return clf.fit(X, y).history_["seconds"][0]


def dae_epoch(X):
    cfg = AEConfig(corruption="masking", corruption_level=0.25, learning_rate=0.01,
                   batch_size=B)
    state = AEState(init_autoencoder(784, 1000, cfg, np.random.default_rng(0), np.float32))
    train_autoencoder(X, state, cfg, np.random.default_rng(0), 1)
    return state.history["seconds"][0]


def sklearn_ae_epoch(X):
    reg = MLPRegressor(hidden_layer_sizes=(1000,), activation="logistic", solver="sgd", learning_rate_init=0.01,
                       momentum=0.9, nesterovs_momentum=False, batch_size=B, max_iter=1,
                       random_state=0)
    t0 = time.perf_counter()
    reg.fit(X, X)
    return time.perf_counter() - t0


def deep_ae_epoch(X):
    ae = StackedAutoencoder((1000, 500, 250, 30), code_activation="identity",
                            loss="cross_entropy", pretrain="none", max_iter=1, random_state=0)
    return ae.fit(X).history_["seconds"][0]


def sda_finetune_epoch(X, y):
    clf = DeepNetClassifier((1000, 1000, 1000), activation="sigmoid", solver="momentum",
                            learning_rate_init=0.1, batch_size=B, max_iter=1, random_state=0)
    return clf.fit(X, y).history_["seconds"][0]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--dbm", default=None,
                   help="also time a joint epoch of this trained DBM (joblib file)")
    p.add_argument("--json", default=None, help="write the timings, medians and ratios here")
    p.add_argument("--only", default=None,
                   help="run only the jobs whose name contains this text (e.g. DBM)")
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, _, _ = load_mnist(args.mnist)
    rng = np.random.default_rng(0)
    jobs = {
        "DBN: RBM 784-500 CD-1 epoch": lambda: rbm_epoch(X),
        "DBN: fine-tuning epoch 784-500-500-2000-10": lambda: dbn_finetune_epoch(X, y),
        "DBM 784-500-1000 joint epoch, 10 mean-field sweeps": lambda: dbm_epoch(X, 10),
        "  its matmul floor": lambda: dbm_floor(X, 10, rng),
        **({"  the same, continuing the trained MNIST DBM": lambda: trained_dbm_epoch(X, args.dbm)}
           if args.dbm else {}),
        "DBM 784-500-1000 joint epoch, 5 mean-field sweeps": lambda: dbm_epoch(X, 5),
        "  its matmul floor ": lambda: dbm_floor(X, 5, rng),
        "denoising AE layer 784-1000 (tied) epoch": lambda: dae_epoch(X),
        "  sklearn MLPRegressor((1000,)) on (X, X)": lambda: sklearn_ae_epoch(X),
        "deep AE 784-1000-500-250-30-..-784 fine-tuning epoch (Adam)": lambda: deep_ae_epoch(X),
        "SdA 784-1000-1000-1000-10 fine-tuning epoch": lambda: sda_finetune_epoch(X, y),
    }
    if args.only:  # a matching job keeps the indented lines under it (its floor, ...)
        kept, keep = {}, False
        for name, job in jobs.items():
            keep = keep if name.startswith("  ") else args.only in name
            if keep:
                kept[name] = job
        jobs = kept
    times = {k: [] for k in jobs}
    for r in range(args.rounds):
        for name, job in jobs.items():
            times[name].append(job())
        print(f"round {r + 1} done", flush=True)
    print(f"\nOne epoch on MNIST (60000 rows, batch 100, float32; {args.rounds} rounds)")
    for name, ts in times.items():
        print(f"  {name:62s} min {min(ts):6.2f} s  median {median(ts):6.2f} s")
    write_json(args.json, {"rounds": args.rounds, "seconds": times,
                           "medians": {k: median(v) for k, v in times.items()}}, __file__)


if __name__ == "__main__":
    main()
