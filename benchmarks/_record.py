"""What every benchmark writes beside its figures: the command and the commit."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git_commit():
    """The short commit of the checkout (None outside git)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


#: the commit checked out when the benchmark started (HEAD may move while it runs)
STARTED_AT = git_commit()


def command(script, argv=None):
    """The command line that ran ``script`` (its arguments from ``argv`` or ``sys.argv``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    return " ".join(["python", f"benchmarks/{Path(script).name}", *args])


def blas_threads():
    """The BLAS thread count: results depend on it (the order of the products'
    sums), so a figure is reproduced with the same count."""
    import numpy  # noqa: F401  (loads the BLAS whose threads are counted)
    from threadpoolctl import threadpool_info

    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else None


def write_json(path, payload, script, argv=None):
    """``payload`` with the command, commit and BLAS threads, written to ``path``
    (nothing if None)."""
    if path is None:
        return
    record = {"command": command(script, argv), "commit": STARTED_AT,
              "blas_threads": blas_threads(), **payload}
    with open(path, "w") as f:
        json.dump(record, f, indent=1)


def git(*args, cwd=ROOT):
    """The output of a git command in the checkout."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@contextmanager
def worktree(commit, folder):
    """``commit`` checked out in ``folder`` (a git worktree) for the duration."""
    git("worktree", "add", "--detach", str(folder), commit)
    try:
        yield str(folder)
    finally:
        git("worktree", "remove", "--force", str(folder))


def run_at(tree, code, *args):
    """Run ``code`` in a fresh Python importing the package from ``tree``; the
    dict it prints on a line ``RESULT {json}``."""
    env = dict(os.environ, PYTHONPATH=tree)
    run = subprocess.run([sys.executable, "-c", code, tree, *map(str, args)], cwd=tree,
                         env=env, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"the run failed in {tree}:\n{run.stderr[-3000:]}")
    line = next(s for s in run.stdout.splitlines() if s.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])
