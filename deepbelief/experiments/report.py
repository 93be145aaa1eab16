"""The study's report: a Markdown file with tables and PNG figures."""

import json
import time
from pathlib import Path

import numpy as np

from .. import plotting
from .configs import METHODS


def _mean_sd(values, scale=100.0):
    v = scale * np.asarray(values, dtype=float)
    n_div = int(np.isnan(v).sum())
    v = v[~np.isnan(v)]
    if v.size == 0:
        return "diverged"
    text = f"{v.mean():.1f}" if v.size == 1 else f"{v.mean():.1f} ± {v.std(ddof=1):.1f}"
    return text + (f" ({n_div} diverged)" if n_div else "")


def results_table(results):
    """Markdown table: test error (%) per method and optimizer (rows) and depth (columns)."""
    depths = sorted({r["depth"] for r in results})
    keys = sorted({(r["method"], r["optimizer"]) for r in results},
                  key=lambda k: (list(METHODS).index(k[0]) if k[0] in METHODS else 99, k[1]))
    lines = ["| method | optimizer | " + " | ".join(f"{d} layers" for d in depths) + " |",
             "|---|---|" + "---|" * len(depths)]
    for m, o in keys:
        cells = []
        for d in depths:
            vals = [r["test_error"] for r in results
                    if r["method"] == m and r["optimizer"] == o and r["depth"] == d]
            cells.append(_mean_sd(vals) if vals else "")
        lines.append(f"| {m} | {o} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def gradient_table(results, depth, optimizer):
    """Markdown table: gradient norm per layer at init and the geometric decay per layer."""
    lines = ["| method | ‖∂L/∂W‖ per layer at init (input side first) | decay per layer |",
             "|---|---|---|"]
    for m in METHODS:
        rows = [r for r in results
                if r["method"] == m and r["depth"] == depth and r["optimizer"] == optimizer]
        if not rows:
            continue
        g = np.mean([r["grad_norms_init"] for r in rows], axis=0)
        hidden = g[:-1]  # weight layers below the output layer
        decay = (hidden[-1] / hidden[0]) ** (1 / max(len(hidden) - 1, 1)) if len(hidden) > 1 else 1
        lines.append(f"| {m} | " + " ".join(f"{x:.1e}" for x in g) + f" | {decay:.1f}x |")
    return "\n".join(lines)


def budget_table(budget_results):
    budgets = sorted({r["budget"] for r in budget_results})
    methods = list(dict.fromkeys(r["method"] for r in budget_results))
    lines = ["| labels | " + " | ".join(methods) + " |", "|---|" + "---|" * len(methods)]
    for b in budgets:
        cells = [_mean_sd([r["test_error"] for r in budget_results
                           if r["budget"] == b and r["method"] == m]) for m in methods]
        lines.append(f"| {b} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(out, results, *, stacks=None, budget_results=None, meta=None, image_shape=None):
    """Write ``report.md``, ``results.json`` and the figures into folder ``out``.

    Returns the path of ``report.md``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    depths = sorted({r["depth"] for r in results})
    deepest = max(depths)
    optimizers = list(dict.fromkeys(r["optimizer"] for r in results))
    figs = {}

    fig, axes = plotting.figure(len(optimizers), 1)
    for ax, opt in zip(axes[0], optimizers):
        plotting.plot_metric_vs_depth(results, ax=ax, optimizer=opt)
        ax.set_title(f"test error vs depth ({opt})")
        ax.legend(fontsize=7)
    figs["error_vs_depth"] = plotting.save_figure(fig, out / "error_vs_depth.png")

    first = optimizers[0]
    deep_rows = [r for r in results if r["depth"] == deepest and r["optimizer"] == first
                 and r["seed"] == min(x["seed"] for x in results)]
    fig, axes = plotting.figure(2, 1)
    for r in deep_rows:
        plotting.plot_grad_norms(r["grad_norms_init"], ax=axes[0][0], label=r["method"])
        plotting.plot_grad_norms(r["grad_norms_early"], ax=axes[0][1], label=r["method"])
    axes[0][0].set_title(f"gradient norm per layer at initialisation ({deepest} layers)")
    axes[0][1].set_title(f"... after the first epochs ({first})")
    axes[0][1].legend(fontsize=7)
    figs["grad_norms"] = plotting.save_figure(fig, out / "grad_norms.png")

    sat_rows = [r for r in deep_rows if r["method"] in ("sigmoid_normal", "sigmoid_glorot", "dbn",
                                                        "sdae", "sigmoid_batchnorm")]
    if sat_rows:
        fig, axes = plotting.figure(len(sat_rows), 1, size=(4.0, 3.2))
        for ax, r in zip(axes[0], sat_rows):
            plotting.plot_saturation(r["saturation"], ax=ax)
            ax.set_title(r["method"], fontsize=9)
            ax.set_ylim(-0.02, 1.02)
        axes[0][0].legend(fontsize=6)
        figs["saturation"] = plotting.save_figure(fig, out / "saturation.png")

    fig, axes = plotting.figure(len(optimizers), 1)
    for ax, opt in zip(axes[0], optimizers):
        for r in results:
            if r["depth"] == deepest and r["optimizer"] == opt and r["seed"] == deep_rows[0]["seed"]:
                ax.semilogy(np.arange(1, len(r["loss"]) + 1), r["loss"], label=r["method"])
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        ax.set_title(f"learning curves, {deepest} layers ({opt})")
        ax.legend(fontsize=7)
    figs["learning_curves"] = plotting.save_figure(fig, out / "learning_curves.png")

    if stacks and image_shape is not None:
        stack = stacks[min(stacks)][0]
        fig, axes = plotting.figure(2, 1, size=(4.5, 4.5))
        plotting.plot_filters(stack.rbms_[0].components_, shape=image_shape, ax=axes[0][0],
                              title="first-layer RBM filters")
        samples = stack.sample(36, n_steps=500, random_state=0)
        plotting.plot_filters(samples, shape=image_shape, ax=axes[0][1],
                              title=f"samples of the {len(stack.rbms_)}-layer DBN")
        figs["rbm"] = plotting.save_figure(fig, out / "rbm_filters_samples.png")

    lines = [f"# The vanishing-gradient study ({meta.get('dataset', '')})", "",
             f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `python -m deepbelief`; every "
             "number below comes from this run.", ""]
    if meta:
        lines += ["Settings: " + ", ".join(f"{k} = {v}" for k, v in meta.items()), ""]
    if stacks:
        secs = ", ".join(f"seed {s}: {t:.1f} s" for s, (_, t) in sorted(stacks.items()))
        lines += [f"Greedy pretraining of the shared {deepest}-layer RBM stack took {secs}; "
                  "every DBN net starts from its first layers.", ""]
    lines += ["## Test error (%) by depth", "", results_table(results), "",
              f"![error vs depth]({Path(figs['error_vs_depth']).name})", "",
              f"## Gradient norms per layer ({deepest} hidden layers, {first})", "",
              "Backprop multiplies one activation derivative per layer (at most 1/4 for the "
              "sigmoid): the norms fall geometrically toward the input for small random "
              "sigmoid weights, and stay level after pretraining or with ReLU/He.", "",
              gradient_table(results, deepest, first), "",
              f"![gradient norms]({Path(figs['grad_norms']).name})", ""]
    if "saturation" in figs:
        lines += ["## Saturated units per layer over training", "",
                  "Fraction of sigmoid outputs below 0.01 or above 0.99 (Glorot & Bengio 2010).",
                  "", f"![saturation]({Path(figs['saturation']).name})", ""]
    lines += ["## Learning curves", "", f"![learning curves]({Path(figs['learning_curves']).name})",
              ""]
    if budget_results:
        lines += ["## Label budget: test error (%) with few labels", "",
                  "The DBN is pretrained on all training images (labels unused), then every net "
                  "is fine-tuned on the labelled subset.", "", budget_table(budget_results), ""]
    if "rbm" in figs:
        lines += ["## RBM filters and DBN samples", "", f"![rbm]({Path(figs['rbm']).name})", ""]
    report = out / "report.md"
    report.write_text("\n".join(lines))
    slim = [{k: v for k, v in r.items()} for r in results]
    (out / "results.json").write_text(json.dumps(
        {"meta": meta, "results": slim, "label_budget": budget_results or []}, indent=1))
    return report
