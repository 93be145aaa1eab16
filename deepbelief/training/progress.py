"""What ``verbose`` shows of a long fit: the phase, a line per epoch, a progress bar.

A fit runs through phases, nested: the estimator, then ``pretraining`` and
``layer 2/3``, or ``fine-tuning``.  :func:`phase` pushes one for the duration
of a ``with`` block (a context variable, so threads and nested estimators each
see their own); :func:`phase_label` writes the current path as the prefix of
every line, e.g. ``[DBNClassifier] pretraining layer 2/3``.

With ``verbose >= 2`` :func:`run_epochs <deepbelief.training.loop.run_epochs>`
opens a :class:`ProgressBar` over the minibatches of its epochs, which every
epoch loop advances through :func:`minibatches`; the bar is redrawn on
``stderr`` at most ten times a second with the time left (ETA) and erased
before the epoch's line is printed.  No dependency on tqdm.
"""

import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar

_PHASE = ContextVar("deepbelief_phase", default=())
_BAR = ContextVar("deepbelief_progress_bar", default=None)


@contextmanager
def phase(*words):
    """Run the block as a named phase of the current fit (empty words are skipped)."""
    token = _PHASE.set(_PHASE.get() + tuple(w for w in words if w))
    try:
        yield
    finally:
        _PHASE.reset(token)


@contextmanager
def estimator_phase(est):
    """The outermost estimator's name heads the path; one fitted inside
    another (the RBMs of a DBN, a DBN net's stack) adds nothing."""
    with phase("" if _PHASE.get() else type(est).__name__):
        yield


def phase_label(name=""):
    """``[Estimator] phase words``: the current phase path (``[name]`` outside any)."""
    words = _PHASE.get() or ((name,) if name else ())
    if not words:
        return ""
    head, *rest = words
    return f"[{head}]" + "".join(f" {w}" for w in rest)


def format_seconds(seconds):
    """``m:ss`` (or ``h:mm:ss``) of a duration."""
    seconds = int(round(max(seconds, 0.0)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """A one-line bar over the minibatches of ``n_epochs`` epochs, with an ETA.

    ``start_epoch(e)`` at the start of each epoch (0-based within the run),
    ``advance(done, total)`` after each minibatch (rows done of the epoch's
    ``total``), ``clear()`` before a line is printed.
    """

    def __init__(self, label, n_epochs, stream=None, width=24, every=0.1, clock=time.monotonic):
        self.label, self.n_epochs, self.width, self.every = label, max(n_epochs, 1), width, every
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.t0 = clock()
        self.epoch = 0
        self.shown_at = -float("inf")
        self.shown = 0  # characters on the line now

    def start_epoch(self, epoch):
        self.epoch = epoch

    def fraction(self, done, total):
        return min((self.epoch + (done / total if total else 1.0)) / self.n_epochs, 1.0)

    def text(self, done, total):
        frac = self.fraction(done, total)
        elapsed = self.clock() - self.t0
        eta = elapsed * (1.0 - frac) / frac if frac > 0 else float("nan")
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        eta_text = format_seconds(eta) if eta == eta else "?"
        return (f"{self.label} epoch {self.epoch + 1}/{self.n_epochs} [{bar}] {frac:4.0%} "
                f"{format_seconds(elapsed)} elapsed, ETA {eta_text}")

    def advance(self, done, total):
        now = self.clock()
        if now - self.shown_at < self.every and done < total:
            return
        self.shown_at = now
        text = self.text(done, total)
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def clear(self):
        """Erase the bar (spaces, as terminals and notebooks both understand)."""
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0


@contextmanager
def progress_bar(label, n_epochs, verbose):
    """A :class:`ProgressBar` for the block when ``verbose >= 2`` (else None)."""
    if verbose < 2:
        yield None
        return
    bar = ProgressBar(label, n_epochs)
    token = _BAR.set(bar)
    try:
        yield bar
    finally:
        bar.clear()
        _BAR.reset(token)


def minibatches(n, batch_size):
    """``range(0, n, batch_size)``, advancing the progress bar (if any) after each."""
    bar = _BAR.get()
    for start in range(0, n, batch_size):
        yield start
        if bar is not None:
            bar.advance(min(start + batch_size, n), n)
