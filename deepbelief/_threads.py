"""Work beside the BLAS products: the core count, and noise drawn a batch ahead.

numpy's elementwise loops run on one core; its BLAS products run on all of
them.  In a CD epoch the two alternate, so one core idles while the other
computes sigmoids.  The random draws of a batch depend on nothing the batch
computes, so a helper thread can draw the next batch's noise in that idle time.
"""

import os
import threading

import numpy as np

from .energy import uniform


def available_cpus():
    """Number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def draw(rng, kinds, bufs):
    """Fill ``bufs`` in order: ``"uniform"`` on [0, 1) or ``"normal"`` (standard)."""
    for kind, buf in zip(kinds, bufs):
        if kind == "uniform":
            uniform(rng, buf)
        else:
            rng.standard_normal(out=buf, dtype=buf.dtype)
    return bufs


class NoisePrefetcher:
    """The noise of a sequence of batches, drawn one batch ahead.

    ``kinds`` lists the draws one batch makes, in order; ``shapes(n)`` gives
    their shapes for a batch of ``n`` rows; ``sizes`` are the batch sizes in
    order.  :meth:`take` hands out the noise of the next batch.  With
    ``threaded=True`` a helper thread draws batch ``i + 1`` between
    :meth:`start` (called once batch ``i`` has launched its first product) and
    :meth:`wait`; otherwise :meth:`take` draws inline.  Either way the draws
    come from ``rng`` in the same order, so the results are identical to the
    bit, and ``rng`` ends where drawing in the loop would leave it: the helper
    is the only user of ``rng`` until the last batch has been taken.
    """

    def __init__(self, rng, kinds, shapes, sizes, dtype, threaded=False):
        self.rng, self.kinds, self.sizes = rng, kinds, list(sizes)
        self._bufs = {}
        self._make = lambda n: [np.empty(s, dtype=dtype) for s in shapes(n)]
        self._i = 0  # index of the next batch to hand out
        self._threaded = threaded and len(self.sizes) > 1
        self._pending = False  # a draw is under way in the helper
        self._drawn = False  # the noise of batch self._i is in self._ready
        if self._threaded:
            self._ready = None
            self._go = threading.Semaphore(0)
            self._done = threading.Semaphore(0)
            self._error = None
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()

    def _buffers(self, i):
        """Two buffer sets per batch size, alternating, so the helper never
        writes the set the current batch reads."""
        key = (self.sizes[i], i % 2)
        if key not in self._bufs:
            self._bufs[key] = self._make(self.sizes[i])
        return self._bufs[key]

    def _work(self):
        while True:
            self._go.acquire()
            i = self._i
            if i >= len(self.sizes):
                return
            try:
                self._ready = draw(self.rng, self.kinds, self._buffers(i))
            except BaseException as exc:  # re-raised in the main thread by wait()
                self._error = exc
            self._done.release()

    def take(self):
        """The noise of the next batch (a list of arrays, in ``kinds`` order)."""
        i = self._i
        if not self._threaded or i == 0:
            bufs = draw(self.rng, self.kinds, self._buffers(i))
        else:
            if not self._drawn:
                self.start()
                self.wait()
            bufs, self._drawn = self._ready, False
        self._i = i + 1
        return bufs

    def start(self):
        """Begin drawing the next batch's noise in the helper thread."""
        if (self._threaded and not self._pending and not self._drawn
                and 0 < self._i < len(self.sizes)):
            self._pending = True
            self._go.release()

    def wait(self):
        """Block until the noise begun by :meth:`start` is drawn."""
        if self._pending:
            self._done.acquire()
            self._pending = False
            self._drawn = True
            if self._error is not None:
                raise self._error

    def close(self):
        """Stop the helper thread (after the last batch, or on an error)."""
        if self._threaded and self._thread.is_alive():
            if self._pending:
                self._done.acquire()
                self._pending = False
            self._i = len(self.sizes)
            self._go.release()
            self._thread.join()
