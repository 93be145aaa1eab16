"""Matplotlib figures.  The only package module that imports matplotlib."""

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def tile_images(images, shape=None, n_cols=None, pad=1):
    """Arrange rows of ``images`` (n, h*w) into one 2-D mosaic, each scaled to [0, 1]."""
    images = np.asarray(images, dtype=np.float64)
    n = images.shape[0]
    if shape is None:
        side = int(round(np.sqrt(images.shape[1])))
        shape = (side, images.shape[1] // side)
    n_cols = n_cols or int(np.ceil(np.sqrt(n)))
    n_rows = int(np.ceil(n / n_cols))
    h, w = shape
    mosaic = np.ones((n_rows * (h + pad) + pad, n_cols * (w + pad) + pad))
    lo = images.min(axis=1, keepdims=True)
    span = np.ptp(images, axis=1, keepdims=True)
    images = (images - lo) / np.where(span > 0, span, 1.0)
    for i in range(n):
        r, c = divmod(i, n_cols)
        y0, x0 = pad + r * (h + pad), pad + c * (w + pad)
        mosaic[y0 : y0 + h, x0 : x0 + w] = images[i].reshape(h, w)
    return mosaic


def plot_filters(components, shape=None, n_filters=100, ax=None, title=None):
    """Show the first ``n_filters`` rows of ``components`` (e.g. ``RBM.components_``)."""
    ax = _axes(ax)
    ax.imshow(tile_images(np.asarray(components)[:n_filters], shape), cmap="gray",
              interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, key, ax=None, label=None):
    """Plot one per-epoch series of an estimator's ``history_``."""
    ax = _axes(ax)
    ax.plot(history.get("epoch", range(1, len(history[key]) + 1)), history[key], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(key.replace("_", " "))
    return ax
