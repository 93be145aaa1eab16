"""Matplotlib figures.  The only package module that imports matplotlib."""

import numpy as np

#: one colour, marker and line per method of the study, the same in every figure
#: (pretrained methods solid, random initialisations dashed, the remedies dotted)
METHOD_STYLES = {
    "sigmoid_normal": dict(color="#d62728", marker="v", linestyle="--"),
    "sigmoid_glorot": dict(color="#ff7f0e", marker="^", linestyle="--"),
    "relu_he": dict(color="#1f77b4", marker="o", linestyle="--"),
    "leaky_relu_he": dict(color="#17becf", marker="D", linestyle="--"),
    "dbn": dict(color="#9467bd", marker="s", linestyle="-"),
    "sdae": dict(color="#8c564b", marker="P", linestyle="-"),
    "sigmoid_batchnorm": dict(color="#2ca02c", marker="X", linestyle=":"),
    "relu_residual": dict(color="#7f7f7f", marker="*", linestyle=":"),
}


def method_style(method):
    """Matplotlib keywords of ``method``'s line (a neutral black for others)."""
    return METHOD_STYLES.get(method, dict(color="black", marker=".", linestyle="-"))


def layer_colours(n):
    """``n`` colours from input side (dark) to top layer (light), one per hidden layer."""
    from matplotlib import colormaps

    return [colormaps["viridis"](x) for x in np.linspace(0.0, 0.85, max(n, 1))]


def legend_outside(ax, **kw):
    """The legend to the right of the axes, off the data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                     fontsize=8, **kw)


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


def plot_grad_norms(grad_norms, ax=None, label=None, marker="o", **style):
    """Per-layer gradient norms against the weight layer, log scale: hidden
    layers 1 (input side) to L, then the output layer, marked ``out``.

    ``grad_norms`` is one list of norms (e.g. ``history_["grad_norms_init"]``)
    or a list of them (one line per entry, e.g. epochs).
    """
    ax = _axes(ax)
    rows = np.atleast_2d(np.asarray(grad_norms, dtype=float))
    style = {"marker": marker, **style}
    for i, row in enumerate(rows):
        lab = label if rows.shape[0] == 1 else f"{label or 'epoch'} {i + 1}"
        ax.semilogy(np.arange(1, row.size + 1), row, label=lab, **style)
    n = rows.shape[1]
    ax.set_xticks(np.arange(1, n + 1), [*map(str, range(1, n)), "out"])
    ax.set_xlabel("weight layer (1 = input side, out = output layer)")
    ax.set_ylabel("gradient norm ||dL/dW||")
    return ax


def plot_saturation(saturation, ax=None, label=None):
    """Fraction of saturated units per hidden layer over epochs (one line per layer)."""
    ax = _axes(ax)
    sat = np.asarray(saturation, dtype=float)
    for layer in range(sat.shape[1]):
        ax.plot(np.arange(1, sat.shape[0] + 1), sat[:, layer],
                label=f"{label + ': ' if label else ''}layer {layer + 1}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("fraction saturated")
    return ax


def plot_metric_vs_depth(results, metric="test_error", ax=None, optimizer=None, scale=100.0,
                         log=True):
    """One line per method: mean ``metric`` (x ``scale``) against depth, with
    error bars of one standard deviation over the seeds; a log axis (default)
    keeps methods at 2 % and at 90 % apart.

    ``results`` are the dicts of :func:`deepbelief.experiments.run_study`.
    """
    ax = _axes(ax)
    order = list(METHOD_STYLES)
    methods = sorted({r["method"] for r in results},
                     key=lambda m: (order.index(m) if m in order else len(order), m))
    for m in methods:
        rows = [r for r in results if r["method"] == m and optimizer in (None, r["optimizer"])]
        depths = sorted({r["depth"] for r in rows})
        values = [scale * np.array([r[metric] for r in rows if r["depth"] == d], dtype=float)
                  for d in depths]
        means = [np.nanmean(v) if np.isfinite(v).any() else np.nan for v in values]
        sds = [np.nanstd(v, ddof=1) if np.isfinite(v).sum() > 1 else 0.0 for v in values]
        ax.errorbar(depths, means, yerr=sds, label=m, capsize=3, markersize=5,
                    **method_style(m))
    if log:
        ax.set_yscale("log")
    ax.set_xticks(sorted({r["depth"] for r in results}))
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("test error (%)" if metric == "test_error" else metric)
    ax.grid(True, which="both", alpha=0.25)
    return ax


def figure(n_cols=1, n_rows=1, size=(5.0, 3.6)):
    """A new figure and its grid of axes, without pyplot (no backend, no GUI)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * n_cols, size[1] * n_rows), layout="tight")
    return fig, fig.subplots(n_rows, n_cols, squeeze=False)


def save_figure(fig, path):
    """Write ``fig`` to ``path`` (format from the suffix), legends outside the
    axes included; returns ``path``."""
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path
