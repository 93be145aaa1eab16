"""A 2-layer DBM (500-1000) on MNIST: likelihood bound, classification error, wall time.

Recipe of Salakhutdinov & Hinton (2009) on a 2-core budget: greedy pretraining
of the two modified RBMs (CD-1), joint training (mean field + 100 persistent
chains, learning rate decaying linearly to zero), then the DBM's net
(input augmented with q(h2 | x)) fine-tuned with a softmax layer.

* The DBM is trained on MNIST binarized stochastically once with fixed seeds
  (the RBM benchmark's convention), or with ``--dynamic-binarization`` on the
  grey images with a fresh draw per minibatch; the likelihood is the variational lower
  bound on log p(x) of the binarized test set, with log Z by AIS (100 chains,
  14,500 inverse temperatures).  During joint training a cheaper AIS
  (``--probe-betas``) tracks the bound every ``--probe-every`` epochs.
* The classifier is fine-tuned on the grey-scale training images (pixel / 255
  in [0, 1]); the test set is used only for the final figures.

    python benchmarks/mnist_dbm.py [--pretrain-epochs 20] [--epochs 40] [--finetune-epochs 60]
    python benchmarks/mnist_dbm.py --resume dbm.pkl --epochs 80   # train a saved DBM longer
    python benchmarks/mnist_dbm.py --resume dbm.pkl --epochs 400 --save dbm500.pkl --checkpoint-every 10
    # cut short at epoch 300 (dbm500.pkl holds it): --resume dbm500.pkl --epochs 200 ends the same run
    python benchmarks/mnist_dbm.py --resume dbm.pkl --epochs 0 --finetune-epochs 0  # score it
    # score it, checking log Z with a second AIS run of 1,000 chains (a narrower interval)
    python benchmarks/mnist_dbm.py --resume dbm.pkl --epochs 0 --finetune-epochs 0 \
        --check-betas 14500 --check-chains 1000
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from deepbelief import DBM, DBMClassifier
from deepbelief.datasets import binarize_stochastic, load_mnist


def _dump_atomically(dbm, path):
    import joblib

    tmp = f"{path}.tmp"
    joblib.dump(dbm, tmp)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default=None,
                   help="MNIST .npz (default: deepbelief.datasets.find_mnist)")
    p.add_argument("--sizes", default="500,1000")
    p.add_argument("--pretrain-epochs", type=int, default=20)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--learning-rate", type=float, default=0.01)
    p.add_argument("--mean-field", type=int, default=10)
    p.add_argument("--gibbs", type=int, default=1,
                   help="block-Gibbs sweeps of the particles per update (the paper: 5)")
    p.add_argument("--finetune-epochs", type=int, default=60)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--finetune-learning-rate", type=float, default=0.1,
                   help="initial fine-tuning step (0.2 is the choice of mnist_dbm_finetune.py)")
    p.add_argument("--probe-every", type=int, default=10)
    p.add_argument("--probe-betas", type=int, default=5000)
    p.add_argument("--check-betas", type=int, default=50000,
                   help="a second, longer AIS run: estimates that still grow with the number of "
                        "betas mean log Z is underestimated (and the bound overestimated)")
    p.add_argument("--check-chains", type=int, default=None,
                   help="chains of the --check-betas run (default: the DBM's ais_chains, 100); "
                        "more chains narrow its interval (mean +- 3 standard errors)")
    p.add_argument("--save", default=None, help="joblib.dump the fitted DBM here")
    p.add_argument("--checkpoint-every", type=int, default=0,
                   help="with --save: also dump the DBM there every this many joint epochs "
                        "(atomically), so a run cut short can go on with --resume and "
                        "--epochs set to the epochs still to do (the schedule is unchanged)")
    p.add_argument("--resume", default=None,
                   help="joblib file of a DBM saved by --save: train it --epochs more joint epochs, "
                        "its linear step schedule stretched to the new total (no pretraining)")
    p.add_argument("--resume-start-lr", type=float, default=None,
                   help="with --resume: rescale the DBM's linear schedule so that the "
                        "resumed epochs start at this step and decay to 0")
    p.add_argument("--dynamic-binarization", action="store_true",
                   help="train on the grey images, each minibatch a fresh binary draw "
                        "(DBM(dynamic_binarization=True)); the figures stay on the fixed "
                        "binarizations")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, X_test, y_test = load_mnist(args.mnist)
    Xb = binarize_stochastic(X, random_state=1234)
    Xb_test = binarize_stochastic(X_test, random_state=4321)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    dbm = DBM(sizes, pretrain_n_iter=args.pretrain_epochs, pretrain_learning_rate=0.05,
              pretrain_method="cd", pretrain_momentum=0.5, pretrain_weight_decay=2e-4,
              n_iter=args.epochs, learning_rate=args.learning_rate,
              learning_rate_schedule="linear", momentum=0.5, weight_decay=2e-4,
              batch_size=100, n_particles=100, n_mean_field=args.mean_field, n_gibbs=args.gibbs,
              dynamic_binarization=args.dynamic_binarization, random_state=args.seed, verbose=1)
    first_epoch = 1
    if args.resume:
        import joblib

        dbm = joblib.load(args.resume)
        first_epoch = dbm.n_iter_ + 1
        dbm.dynamic_binarization = args.dynamic_binarization  # absent from older pickles
        dbm.n_mean_field_score = getattr(dbm, "n_mean_field_score", None)
        dbm.set_params(n_iter=dbm.n_iter_ + args.epochs, n_gibbs=args.gibbs, verbose=1)
        if args.resume_start_lr is not None:  # linear: lr0 * (n_iter - epoch) / n_iter
            dbm.set_params(learning_rate=args.resume_start_lr * dbm.n_iter / args.epochs)
    out = {"args": vars(args), "probes": []}
    t0 = time.perf_counter()
    train_s = 0.0
    for epoch in range(first_epoch, first_epoch + args.epochs):
        t = time.perf_counter()
        dbm.partial_fit(X if args.dynamic_binarization else Xb)
        train_s += time.perf_counter() - t
        if epoch == 1:
            out["pretrain_plus_first_epoch_seconds"] = train_s
        if args.save and args.checkpoint_every and epoch % args.checkpoint_every == 0:
            _dump_atomically(dbm, args.save)
        if epoch % args.probe_every == 0 or epoch == first_epoch + args.epochs - 1:
            log_z = dbm.log_partition("ais", n_betas=args.probe_betas)
            mus = dbm.mean_field(Xb_test)
            from deepbelief.math.dbm_energy import variational_bound
            bound = float(np.mean(variational_bound(Xb_test, mus, dbm.coefs_, dbm.intercepts_)))
            probe = {"epoch": epoch, "train_seconds": train_s, "test_bound": bound - log_z,
                     "log_z_probe": log_z}
            out["probes"].append(probe)
            print(f"== probe: epoch {epoch}, {train_s:.0f} s of training, test bound "
                  f"{bound - log_z:.2f} nats (AIS {args.probe_betas} betas)", flush=True)
    fit_s = time.perf_counter() - t0
    epoch_s = dbm.history_["seconds"]
    epoch_s = epoch_s[first_epoch - 1:]
    out["joint_epoch_seconds_median"] = (
        float(np.median(epoch_s[1:] if len(epoch_s) > 1 else epoch_s)) if epoch_s else None)
    if args.save and args.epochs:
        _dump_atomically(dbm, args.save)
    t = time.perf_counter()
    log_z, (low, high) = dbm.log_partition("ais", return_bounds=True)
    out["ais_seconds"] = time.perf_counter() - t
    if args.check_betas:
        t = time.perf_counter()
        log_z_long, (long_low, long_high) = dbm.log_partition(
            "ais", n_betas=args.check_betas, n_chains=args.check_chains, return_bounds=True)
        out.update(log_z_long=log_z_long, log_z_long_low=long_low, log_z_long_high=long_high,
                   long_ais_seconds=time.perf_counter() - t)
        chains = args.check_chains or dbm.ais_chains
        print(f"== AIS: log Z {log_z:.2f} with {dbm.ais_betas} betas, {log_z_long:.2f} "
              f"[{long_low:.2f}, {long_high:.2f}] with {args.check_betas} betas and {chains} chains "
              f"({out['long_ais_seconds']:.0f} s)", flush=True)
    # the bound with the training's mean-field sweeps, then (score_samples)
    # with the mean field run to convergence, which can only raise it
    bound_test_sweeps = float(np.mean(dbm.set_params(n_mean_field_score=dbm.n_mean_field)
                                      .score_samples(Xb_test)))
    dbm.set_params(n_mean_field_score=None)
    bound_test = float(np.mean(dbm.score_samples(Xb_test)))
    bound_train = float(np.mean(dbm.score_samples(Xb[:10000])))
    # the same training images binarized afresh: without dynamic binarization
    # the gap to bound_train is what the DBM learnt of the one fixed draw
    bound_fresh = float(np.mean(dbm.score_samples(binarize_stochastic(X[:10000],
                                                                     random_state=999))))
    out.update(log_z=log_z, log_z_low=low, log_z_high=high, test_bound=bound_test,
               test_bound_training_sweeps=bound_test_sweeps,
               train_bound_10k=bound_train, train_bound_10k_fresh=bound_fresh,
               dbm_fit_seconds=fit_s)
    median = out["joint_epoch_seconds_median"]
    print(f"== DBM {sizes}: fit {fit_s:.0f} s (joint epoch median "
          f"{'-' if median is None else f'{median:.1f}'} s); log Z {log_z:.2f} "
          f"[{low:.2f}, {high:.2f}] (AIS {out['ais_seconds']:.0f} s); variational bound "
          f"(mean field converged) test {bound_test:.2f} ({bound_test_sweeps:.2f} with "
          f"{dbm.n_mean_field} sweeps), train {bound_train:.2f} (fresh binarization "
          f"{bound_fresh:.2f}) nats", flush=True)
    if not args.finetune_epochs:
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1))
        return
    clf = DBMClassifier(dbm=dbm, solver="momentum", momentum=0.9,
                        learning_rate_init=args.finetune_learning_rate, learning_rate="linear",
                        batch_size=100, max_iter=args.finetune_epochs,
                        alpha=1e-4, dropout=args.dropout, tol=0.0,
                        n_iter_no_change=args.finetune_epochs + 1, random_state=args.seed,
                        verbose=1)
    t = time.perf_counter()
    clf.fit(X, y)
    ft_s = time.perf_counter() - t
    err = 100.0 * (1.0 - clf.score(X_test, y_test))
    out.update(test_error_percent=err, finetune_seconds=ft_s,
               total_seconds=time.perf_counter() - t0,
               finetune_grad_norms_init=clf.history_["grad_norms_init"],
               dbm_grad_norms=dbm.history_["grad_norms"])
    print(f"== DBMClassifier: test error {err:.2f} %, fine-tuning {ft_s:.0f} s; "
          f"total wall {out['total_seconds']:.0f} s", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
