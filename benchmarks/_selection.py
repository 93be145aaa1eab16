"""The protocol of the MNIST recipe scripts: settings declared in the script,
each fitted on 50,000 training images and scored on the other 10,000 (a
stratified split with a fixed seed), the one with the lowest validation error
refitted on all 60,000 and scored once on the test set.

Settings can be validated one by one (in parallel processes, ``--validate``,
each writing a JSON file to ``--results``) and the refit run afterwards
(``--refit`` picks the lowest validation error found there for the same
budget and seed; a tie goes to the first name in order).  ``--test NAME``
fits one setting fixed in advance and scores it on the test set.
"""

import json
import time
from pathlib import Path

from sklearn.model_selection import train_test_split

from _record import write_json


def add_arguments(p):
    p.add_argument("--results", default=None,
                   help="folder of per-setting validation results (JSON), read and written")
    p.add_argument("--validate", default=None,
                   help="comma-separated settings to validate only (needs --results)")
    p.add_argument("--test", default=None,
                   help="fit this one setting on all 60,000 images and score it on the test set")
    p.add_argument("--refit", action="store_true",
                   help="refit the best setting found in --results and score it on the test set")


def choose(validation_errors):
    """The setting with the lowest validation error (ties: the first name in order)."""
    return min(sorted(validation_errors), key=validation_errors.get)


def run(p, args, settings, fit, data, *, same_keys=("seed",)):
    """Validate, choose and test as the module docstring says.

    ``fit(name, X, y)`` returns a fitted classifier of setting ``name``;
    ``data`` is ``(X, y, X_test, y_test)``; ``same_keys`` are the arguments a
    stored result must share to count.  Returns the report (a dict).
    """
    if (args.validate or args.refit) and not args.results:
        p.error("--validate and --refit need --results")
    names = args.validate.split(",") if args.validate else list(settings)
    if args.test:
        names = [args.test]
    unknown = sorted(set(names) - set(settings))
    if unknown:
        p.error(f"unknown settings {unknown}; known: {sorted(settings)}")
    X, y, X_test, y_test = data
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=10000, stratify=y,
                                                  random_state=args.seed)
    out = {"args": vars(args), "validation_error_percent": {}, "seconds": {}}
    results = Path(args.results) if args.results else None
    if results is not None:
        results.mkdir(parents=True, exist_ok=True)
    for name in [] if args.refit or args.test else names:
        t = time.perf_counter()
        clf = fit(name, X_fit, y_fit)
        err = 100.0 * (1.0 - clf.score(X_val, y_val))
        out["validation_error_percent"][name] = err
        out["seconds"][name] = time.perf_counter() - t
        print(f"== {name}: validation error {err:.2f} % ({out['seconds'][name]:.0f} s)",
              flush=True)
        if results is not None:
            write_json(results / f"{name}.json",
                       {"setting": name, "validation_error_percent": err,
                        "seconds": out["seconds"][name], "args": vars(args)}, "mnist_dbn.py")
    if args.validate:
        return out
    if args.refit:
        for f in sorted(results.glob("*.json")):
            r = json.loads(f.read_text())
            ran = r.get("args", {})
            if r.get("setting") in settings and all(ran.get(k) == getattr(args, k)
                                                    for k in same_keys):
                out["validation_error_percent"][r["setting"]] = r["validation_error_percent"]
        if not out["validation_error_percent"]:
            p.error(f"no validation results in {results}")
        for name, err in sorted(out["validation_error_percent"].items()):
            print(f"== {name}: validation error {err:.2f} %", flush=True)
    best = args.test or choose(out["validation_error_percent"])
    t = time.perf_counter()
    clf = fit(best, X, y)
    err = 100.0 * (1.0 - clf.score(X_test, y_test))
    out.update(chosen=best, test_error_percent=err, final_seconds=time.perf_counter() - t)
    how = "fixed in advance" if args.test else "chosen on validation"
    print(f"== {how}: {best}; refitted on 60,000 images: test error {err:.2f} % "
          f"({out['final_seconds']:.0f} s)", flush=True)
    return out
