"""Quality of a 500-hidden Bernoulli RBM on MNIST: AIS test log-likelihood.

Convention of the published figures (Salakhutdinov & Murray 2008): MNIST
binarized stochastically once with a fixed seed (pixel / 255 is the
probability of a 1), train and test alike; AIS from a base model with the
training data's visible marginals, 14,500 inverse temperatures, 100 chains.

    python benchmarks/mnist_rbm_loglik.py [--epochs 100] [--method pcd] ...

Data: ``--mnist`` path, else where :func:`deepbelief.datasets.find_mnist` finds
it (``$DEEPBELIEF_MNIST``, the cache, ``../shared/data/mnist.npz``), else
fetch_openml.
"""

import argparse
import json
import time

from deepbelief import RBM
from deepbelief.datasets import binarize_stochastic, load_mnist

from _record import write_json


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--n-components", type=int, default=500)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--method", default="pcd")
    p.add_argument("--k", type=int, default=1)
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--schedule", default="linear")
    p.add_argument("--momentum", type=float, default=0.5)
    p.add_argument("--weight-decay", type=float, default=2e-4)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--centered", action="store_true")
    p.add_argument("--chains", type=int, default=100)
    p.add_argument("--betas", type=int, default=14500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="write the figures here")
    args = p.parse_args()

    X_train, _, X_test, _ = load_mnist(args.mnist)
    X_train = binarize_stochastic(X_train, random_state=1234)
    X_test = binarize_stochastic(X_test, random_state=4321)
    params = dict(
        n_components=args.n_components, n_iter=args.epochs, method=args.method, k=args.k,
        learning_rate=args.learning_rate, learning_rate_schedule=args.schedule,
        momentum=args.momentum, weight_decay=args.weight_decay, batch_size=args.batch_size,
        ais_chains=args.chains, ais_betas=args.betas, random_state=args.seed, verbose=1,
    )
    if args.centered:
        params["centered"] = True
    rbm = RBM(**params)
    t0 = time.perf_counter()
    rbm.fit(X_train)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    log_z, (lo, hi) = rbm.log_partition(return_bounds=True)
    ais_s = time.perf_counter() - t0
    F_test = rbm.free_energy(X_test)
    F_train = rbm.free_energy(X_train)
    res = {
        "params": {k: v for k, v in params.items() if k != "verbose"},
        "fit_seconds": fit_s,
        "ais_seconds": ais_s,
        "log_z": log_z,
        "log_z_3sigma": [lo, hi],
        "test_log_likelihood": float(-F_test.mean() - log_z),
        "test_log_likelihood_3sigma": [float(-F_test.mean() - hi), float(-F_test.mean() - lo)],
        "train_log_likelihood": float(-F_train.mean() - log_z),
    }
    print(json.dumps(res, indent=2))
    write_json(args.json, res, __file__)


if __name__ == "__main__":
    main()
