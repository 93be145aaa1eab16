"""The engine's speed at two commits, side by side in one run.

Checks out ``--base`` and ``--head`` (default: HEAD) as git worktrees and
times, in fresh processes that alternate between the two commits round by
round, the four figures the engine is held to:

- ``rbm_cd1_epoch``: one CD-1 epoch of a 784 -> 500 RBM on the 60,000 MNIST
  images (batch 100, float32), ``history_["seconds"]``;
- ``rbm_ais``: ``log_partition(method="ais")`` of that RBM, 100 chains and
  ``--ais-betas`` inverse temperatures;
- ``finetune_epoch``: one backprop epoch of a 784-500-500-2000-10 sigmoid net
  (``DeepNetClassifier``, SGD with momentum, batch 100, float32);
- ``dbm_epoch``: one joint-training epoch of a 784-500-1000 DBM (batch 100,
  100 persistent particles, 10 mean-field sweeps) on the first ``--dbm-rows``
  images.

Each process also times the bare matmul floor of the CD-1 epoch, so that a
round's figures can be read against the machine's speed at that moment.  Only
the public estimator API is used, the same at both commits.  Writes medians,
the head/base ratios and every round to ``--json``::

    python benchmarks/bench_commits.py --base a11bcbb --rounds 5 \\
        --json benchmarks/results/speed_redesign.json
"""

import argparse
import json
import os
import sys
import tempfile
from statistics import median

from deepbelief.datasets import find_mnist

from _record import git, run_at, worktree

MEASURE = r"""
import json, sys, time
import numpy as np
import deepbelief
from deepbelief import DBM, RBM, DeepNetClassifier
from deepbelief.datasets import load_mnist

assert deepbelief.__file__.startswith(sys.argv[1]), deepbelief.__file__
ais_betas, dbm_rows = int(sys.argv[2]), int(sys.argv[3])
X, y, _, _ = load_mnist(sys.argv[4], dtype=np.float32)
out = {}

def floor():
    rng = np.random.default_rng(0)
    W = (0.01 * rng.standard_normal((784, 500))).astype(np.float32)
    h = np.empty((100, 500), np.float32)
    V2 = (rng.random((200, 784)) < 0.2).astype(np.float32)
    H2 = rng.random((200, 500)).astype(np.float32)
    G = np.zeros((784, 500), np.float32)
    t0 = time.perf_counter()
    for start in range(0, X.shape[0], 100):
        np.matmul(X[start:start + 100], W, out=h)
        v2 = h @ W.T
        h2 = v2 @ W
        np.matmul(V2.T, H2, out=G)
    return time.perf_counter() - t0

out["floor"] = floor()
rbm = RBM(500, method="cd", n_iter=1, batch_size=100, learning_rate=0.05,
          learning_rate_schedule="constant", ais_chains=100, ais_betas=ais_betas,
          random_state=0).fit(X)
out["rbm_cd1_epoch"] = rbm.history_["seconds"][0]
t0 = time.perf_counter()
rbm.log_partition(method="ais")
out["rbm_ais"] = time.perf_counter() - t0
net = DeepNetClassifier((500, 500, 2000), activation="sigmoid", init="glorot_uniform",
                        solver="momentum", learning_rate_init=0.1, momentum=0.9, batch_size=100,
                        max_iter=1, random_state=0)
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    net.fit(X, y)
out["finetune_epoch"] = net.history_["seconds"][0]
dbm = DBM((500, 1000), pretrain_n_iter=0, n_iter=1, batch_size=100, n_particles=100,
          n_mean_field=10, random_state=0).fit(X[:dbm_rows])
out["dbm_epoch"] = dbm.history_["seconds"][-1]
print("RESULT " + json.dumps(out))
"""

FIGURES = ("floor", "rbm_cd1_epoch", "rbm_ais", "finetune_epoch", "dbm_epoch")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="the commit before the change")
    p.add_argument("--head", default="HEAD")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--ais-betas", type=int, default=3000)
    p.add_argument("--dbm-rows", type=int, default=20000)
    p.add_argument("--mnist", default=None, help="MNIST .npz (default: the usual places)")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    mnist = find_mnist(args.mnist)
    if mnist is None:
        raise SystemExit("MNIST not found: pass --mnist or set $DEEPBELIEF_MNIST.")
    mnist = str(mnist)
    commits = {"base": git("rev-parse", args.base), "head": git("rev-parse", args.head)}
    runs = {"base": [], "head": []}
    with tempfile.TemporaryDirectory() as tmp, \
            worktree(commits["base"], os.path.join(tmp, "base")) as base, \
            worktree(commits["head"], os.path.join(tmp, "head")) as head:
        trees = {"base": base, "head": head}
        for r in range(args.rounds):
            order = ("base", "head") if r % 2 == 0 else ("head", "base")
            for side in order:
                runs[side].append(run_at(trees[side], MEASURE, args.ais_betas, args.dbm_rows,
                                         mnist))
                print(f"round {r + 1} {side}: " + ", ".join(
                    f"{k} {v:.3f}" for k, v in runs[side][-1].items()), flush=True)
    medians = {side: {k: median(run[k] for run in runs[side]) for k in FIGURES}
               for side in runs}
    ratios = {k: medians["head"][k] / medians["base"][k] for k in FIGURES}
    print(f"\n{'figure':16s} {'base (s)':>9s} {'head (s)':>9s} {'head/base':>9s}")
    for k in FIGURES:
        print(f"{k:16s} {medians['base'][k]:9.3f} {medians['head'][k]:9.3f} {ratios[k]:9.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": "python benchmarks/bench_commits.py " + " ".join(
                           argv if argv is not None else sys.argv[1:]),
                       "commits": commits, "rounds": args.rounds, "ais_betas": args.ais_betas,
                       "dbm_rows": args.dbm_rows, "medians": medians, "head_over_base": ratios,
                       "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
