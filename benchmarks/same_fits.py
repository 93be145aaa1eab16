"""Whether two commits fit every estimator bit for bit the same.

Checks out ``--base`` and ``--head`` (default: HEAD) as git worktrees and, in a
fresh process for each, fits every estimator on the digits (small nets, a few
epochs, seed 0, float32: pretraining, fine-tuning, batch norm and dropout,
AIS and the DBM's bound included), then compares a SHA-256 of each model's
parameters and the printed likelihoods.  Equal digests mean the two commits
compute the same thing draw for draw, so a figure published at ``--base``
is the figure the head gives::

    python benchmarks/same_fits.py --base f1b9b56 --json benchmarks/results/same_fits.json
"""

import argparse
import json
import os
import sys
import tempfile

from _record import git, run_at, worktree

FIT = r"""
import hashlib, json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import deepbelief
from deepbelief import (DBM, DBN, RBM, DBMClassifier, DBNClassifier, DeepNetClassifier,
                        StackedAutoencoder, StackedAutoencoderClassifier)
from sklearn.datasets import load_digits

assert deepbelief.__file__.startswith(sys.argv[1]), deepbelief.__file__
X, y = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
out = {}

def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]

r = RBM(32, n_iter=3, random_state=0).fit(X)
out["RBM"] = digest(r.components_, r.intercept_visible_, r.intercept_hidden_)
out["RBM log Z (AIS)"] = repr(RBM(16, n_iter=2, random_state=0, ais_betas=200).fit(X)
                              .log_partition(method="ais"))
d = DBN((32, 16), n_iter=2, random_state=0).fit(X)
out["DBN"] = digest(*[q.components_ for q in d.rbms_])
c = DBNClassifier((32, 16), max_iter=3, pretrain_n_iter=2, random_state=0).fit(X, y)
out["DBNClassifier"] = digest(*c.coefs_)
m = DBM((32, 16), pretrain_n_iter=2, n_iter=2, random_state=0, ais_betas=200).fit(X)
out["DBM"] = digest(*m.coefs_, *m.intercepts_)
out["DBM bound"] = repr(m.score(X[:50]))
mc = DBMClassifier(DBM((32, 16), pretrain_n_iter=2, n_iter=2, random_state=0), max_iter=3,
                   random_state=0).fit(X, y)
out["DBMClassifier"] = digest(*mc.coefs_)
a = StackedAutoencoder((32, 8), max_iter=3, pretrain_n_iter=2, random_state=0).fit(X)
out["StackedAutoencoder"] = digest(*a.coefs_)
a = StackedAutoencoder((32, 8), pretrain="rbm", max_iter=3, pretrain_n_iter=2,
                       random_state=0).fit(X)
out["StackedAutoencoder (RBM stack)"] = digest(*a.coefs_)
s = StackedAutoencoderClassifier((32,), max_iter=3, pretrain_n_iter=2, random_state=0).fit(X, y)
out["StackedAutoencoderClassifier"] = digest(*s.coefs_)
n = DeepNetClassifier((32, 32), batch_norm=True, dropout=0.1, max_iter=3, random_state=0).fit(X, y)
out["DeepNetClassifier"] = digest(*n.coefs_)
print("RESULT " + json.dumps(out))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, nargs="+", help="the earlier commit(s)")
    p.add_argument("--head", default="HEAD")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    commits = {rev: git("rev-parse", rev) for rev in [*args.base, args.head]}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rev, commit in commits.items():
            with worktree(commit, os.path.join(tmp, commit)) as tree:
                results[rev] = run_at(tree, FIT)
    head = results[args.head]
    same = {rev: sorted(k for k in head if results[rev].get(k) == head[k]) for rev in args.base}
    differ = {rev: sorted(k for k in head if results[rev].get(k) != head[k]) for rev in args.base}
    for rev in args.base:
        print(f"{rev}: {len(same[rev])} of {len(head)} fits identical to {args.head}"
              + (f"; differ: {', '.join(differ[rev])}" if differ[rev] else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": "python benchmarks/same_fits.py " + " ".join(
                           argv if argv is not None else sys.argv[1:]),
                       "commits": commits, "identical": same, "differ": differ,
                       "digests": results}, f, indent=1)


if __name__ == "__main__":
    main()
