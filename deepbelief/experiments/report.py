"""The study's report: a Markdown file with tables and PNG figures."""

import json
from pathlib import Path

import numpy as np

from .. import plotting
from .configs import MAX_EXTRA_STEPS, METHODS, VALIDATION_FRACTION
from .selection import selection_seeds


def _mean_sd(values, scale=100.0):
    v = scale * np.asarray(values, dtype=float)
    n_div = int(np.isnan(v).sum())
    v = v[~np.isnan(v)]
    if v.size == 0:
        return "diverged"
    text = f"{v.mean():.1f}" if v.size == 1 else f"{v.mean():.1f} ± {v.std(ddof=1):.1f}"
    return text + (f" ({n_div} diverged)" if n_div else "")


def _depth_table(results, cell):
    """Markdown table: one row per method and optimizer, one column per depth,
    ``cell(rows)`` of the matching results (non-empty) in each."""
    depths = sorted({r["depth"] for r in results})
    keys = sorted({(r["method"], r["optimizer"]) for r in results},
                  key=lambda k: (list(METHODS).index(k[0]) if k[0] in METHODS else 99, k[1]))
    lines = ["| method | optimizer | " + " | ".join(f"{d} layers" for d in depths) + " |",
             "|---|---|" + "---|" * len(depths)]
    for m, o in keys:
        cells = []
        for d in depths:
            rows = [r for r in results
                    if r["method"] == m and r["optimizer"] == o and r["depth"] == d]
            cells.append(cell(rows) if rows else "")
        lines.append(f"| {m} | {o} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def results_table(results):
    """Markdown table: test error (%) per method and optimizer (rows) and depth (columns)."""
    return _depth_table(results, lambda rows: _mean_sd([r["test_error"] for r in rows]))


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


def step_table(results, budget_results=None):
    """Markdown table: the fine-tuning step size chosen for each method, optimizer
    and depth (and label budget), with its validation accuracy."""
    lines = _depth_table(results, lambda rows: _step_cell(rows[0])).split("\n")
    if budget_results:
        budgets = sorted({r["budget"] for r in budget_results})
        methods = list(dict.fromkeys(r["method"] for r in budget_results))
        lines += ["", "| labels | " + " | ".join(methods) + " |",
                  "|---|" + "---|" * len(methods)]
        for b in budgets:
            cells = [_step_cell(next(r for r in budget_results
                                     if r["budget"] == b and r["method"] == m))
                     for m in methods]
            lines.append(f"| {b} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _step_cell(row):
    scores = row.get("validation_scores", {})
    best = scores.get(str(row["learning_rate"]), float("nan"))
    return f"{row['learning_rate']:g} ({100 * best:.0f} %)" if best == best else \
        f"{row['learning_rate']:g} (diverged)"


def _mean_error(results, **match):
    vals = [r["test_error"] for r in results if all(r[k] == v for k, v in match.items())]
    vals = np.asarray(vals, dtype=float)
    return 100 * np.nanmean(vals) if np.isfinite(vals).any() else float("nan")


def findings(results, budget_results=None, meta=None):
    """The report's findings, each with its number, from the results themselves."""
    out = []
    depths = sorted({r["depth"] for r in results})
    deepest = max(depths)
    optimizers = list(dict.fromkeys(r["optimizer"] for r in results))
    methods = [m for m in METHODS if any(r["method"] == m for r in results)]
    first = optimizers[0]
    width = (meta or {}).get("width", 100)
    decay = _decays(results, deepest, first)
    if "sigmoid_normal" in decay and deepest > 1:
        predicted = 1 / (0.25 * 0.01 * np.sqrt(width))
        out.append(
            f"**The mechanism.** In the {deepest}-layer sigmoid net with small random weights "
            f"(N(0, 0.01²)), the gradient norm shrinks {decay['sigmoid_normal']:.1f}x per "
            "layer toward the input at initialisation. The sigmoid's derivative is at most 1/4, "
            "so at least 4x per layer comes from the activation alone; the small weights "
            f"(std 0.01 over {width} units: x{0.01 * np.sqrt(width):.1f} per layer) do the rest "
            f"(predicted: 1 / (0.25 x {0.01 * np.sqrt(width):.1f}) = {predicted:.0f}x). "
            + ", ".join(f"{m} {decay[m]:.1f}x" for m in methods
                        if m in decay and m != "sigmoid_normal")
            + " per layer: pretraining and the modern remedies keep the gradient level.")
    for opt in optimizers:
        errors = {m: _mean_error(results, method=m, optimizer=opt, depth=deepest)
                  for m in methods}
        ranked = sorted((e, m) for m, e in errors.items() if e == e)
        failing = [m for m, e in errors.items() if not e == e or e > 50]
        best_e, best_m = ranked[0]
        text = (f"**At {deepest} layers ({opt}),** the best test error is {best_e:.1f} % "
                f"({best_m}); " + ", ".join(f"{m} {e:.1f} %" for e, m in ranked[1:]) + ".")
        if failing:
            notes = []
            for m in failing:
                start = min(d for d in depths
                            if not _mean_error(results, method=m, optimizer=opt, depth=d) <= 50)
                best_val = max((v for r in results if r["method"] == m
                                and r["optimizer"] == opt and r["depth"] == deepest
                                for v in r.get("validation_scores", {}).values() if v == v),
                               default=float("nan"))
                notes.append(f"{m} from {start} layers (best validation accuracy over the "
                             f"steps tried at {deepest} layers: {100 * best_val:.0f} %)")
            text += " Over 50 %: " + "; ".join(notes) + "."
        out.append(text)
    if budget_results:
        budgets = sorted({r["budget"] for r in budget_results})
        parts = []
        for b in budgets:
            e = {m: _mean_error(budget_results, method=m, budget=b)
                 for m in dict.fromkeys(r["method"] for r in budget_results)}
            others = {m: v for m, v in e.items() if m != "dbn"}
            best_other = min(others, key=lambda m: others[m])
            gap = others[best_other] - e.get("dbn", float("nan"))
            verdict = ("pretraining ahead by" if gap > 0.5 else
                       "pretraining behind by" if gap < -0.5 else "level within 0.5 points:")
            parts.append(f"{b} labels: DBN {e.get('dbn', float('nan')):.1f} % vs "
                         f"{best_other} {others[best_other]:.1f} % ({verdict} "
                         f"{abs(gap):.1f} points)")
        out.append("**Where pretraining still helps.** " + "; ".join(parts) + ".")
    seeds = sorted({r["seed"] for r in results})
    rows = (meta or {}).get("train rows")
    out.append(
        f"**Caveats.** {_plural(len(seeds), 'seed')}"
        + (" (± is their standard deviation); " if len(seeds) > 1 else " (no error bars); ")
        + f"{rows or 'the'} training rows, {int(VALIDATION_FRACTION * 100)} % of them held out "
        f"to choose each step size (one split; each step fitted with seeds "
        f"{_seed_list(seeds)} and scored by the worst), then all of them used for "
        "the measured fit; the greedy pretraining (DBN) sees the images of the validation rows, "
        "not their labels. With few labels the step size is chosen on a fifth of those few "
        "(20 rows for 100 labels): a noisy choice.")
    return out


def _decays(results, depth, optimizer):
    decay = {}
    for m in METHODS:
        rows = [r for r in results
                if r["method"] == m and r["depth"] == depth and r["optimizer"] == optimizer]
        if rows and depth > 1:
            g = np.mean([r["grad_norms_init"] for r in rows], axis=0)[:-1]
            decay[m] = float((g[-1] / g[0]) ** (1 / (len(g) - 1)))
    return decay


def _figures(out, results, stacks, image_shape):
    """The report's figures; returns ``{name: path}``."""
    depths = sorted({r["depth"] for r in results})
    deepest = max(depths)
    optimizers = list(dict.fromkeys(r["optimizer"] for r in results))
    first = optimizers[0]
    seed0 = min(r["seed"] for r in results)
    deep_rows = [r for r in results if r["depth"] == deepest and r["optimizer"] == first
                 and r["seed"] == seed0]
    figs = {}

    fig, axes = plotting.figure(len(optimizers), 1, size=(4.6, 3.6))
    for ax, opt in zip(axes[0], optimizers):
        plotting.plot_metric_vs_depth(results, ax=ax, optimizer=opt)
        ax.set_title(f"test error vs depth ({opt}; mean ± sd over seeds)", fontsize=9)
    plotting.legend_outside(axes[0][-1])
    figs["error_vs_depth"] = plotting.save_figure(fig, out / "error_vs_depth.png")

    fig, axes = plotting.figure(2, 1, size=(4.6, 3.6))
    for r in deep_rows:
        style = plotting.method_style(r["method"])
        plotting.plot_grad_norms(r["grad_norms_init"], ax=axes[0][0], label=r["method"], **style)
        plotting.plot_grad_norms(r["grad_norms_early"], ax=axes[0][1], label=r["method"], **style)
    axes[0][0].set_title(f"gradient norm per layer at initialisation ({deepest} layers)",
                         fontsize=9)
    axes[0][1].set_title(f"after {min(3, len(deep_rows[0]['grad_norms']))} epochs ({first})",
                         fontsize=9)
    plotting.legend_outside(axes[0][1])
    figs["grad_norms"] = plotting.save_figure(fig, out / "grad_norms.png")

    sat_rows = [r for r in deep_rows if r["method"] in ("sigmoid_normal", "sigmoid_glorot", "dbn",
                                                        "sdae", "sigmoid_batchnorm")]
    if sat_rows:
        n_cols = min(3, len(sat_rows))
        n_rows = -(-len(sat_rows) // n_cols)
        fig, axes = plotting.figure(n_cols, n_rows, size=(3.4, 2.8))
        flat = [ax for row in axes for ax in row]
        for ax, r in zip(flat, sat_rows):
            sat = np.asarray(r["saturation"], dtype=float)
            colours = plotting.layer_colours(sat.shape[1])
            for layer in range(sat.shape[1]):
                ax.plot(np.arange(1, sat.shape[0] + 1), sat[:, layer], color=colours[layer],
                        label=f"layer {layer + 1}")
            ax.set_title(r["method"], fontsize=9)
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel("epoch")
            ax.set_ylabel("fraction saturated")
        for ax in flat[len(sat_rows):]:
            ax.set_axis_off()
        plotting.legend_outside(flat[n_cols - 1])
        figs["saturation"] = plotting.save_figure(fig, out / "saturation.png")

    fig, axes = plotting.figure(len(optimizers), 1, size=(4.6, 3.6))
    for ax, opt in zip(axes[0], optimizers):
        rows = [r for r in results
                if r["depth"] == deepest and r["optimizer"] == opt and r["seed"] == seed0]
        for i, r in enumerate(rows):
            # staggered markers keep lines that coincide (the failing nets) both visible
            ax.semilogy(np.arange(1, len(r["loss"]) + 1), r["loss"], label=r["method"],
                        linewidth=1.6, markevery=(i % 5, 5), markersize=5,
                        **plotting.method_style(r["method"]))
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        ax.set_title(f"learning curves, {deepest} layers ({opt})", fontsize=9)
    plotting.legend_outside(axes[0][-1])
    figs["learning_curves"] = plotting.save_figure(fig, out / "learning_curves.png")

    # the composite for the README: what fails, why, and what fixes it
    fig, axes = plotting.figure(2, 1, size=(4.6, 3.6))
    plotting.plot_metric_vs_depth(results, ax=axes[0][0], optimizer=first)
    axes[0][0].set_title(f"test error vs depth ({first})", fontsize=9)
    for r in deep_rows:
        plotting.plot_grad_norms(r["grad_norms_init"], ax=axes[0][1], label=r["method"],
                                 **plotting.method_style(r["method"]))
    axes[0][1].set_title(f"why: gradient norm per layer at init ({deepest} layers)", fontsize=9)
    plotting.legend_outside(axes[0][1])
    figs["summary"] = plotting.save_figure(fig, out / "summary.png")

    if stacks and image_shape is not None:
        stack = stacks[min(stacks)][0]
        fig, axes = plotting.figure(2, 1, size=(4.5, 4.5))
        plotting.plot_filters(stack.rbms_[0].components_, shape=image_shape, ax=axes[0][0],
                              title="first-layer RBM filters")
        samples = stack.sample(36, n_steps=500, random_state=0)
        plotting.plot_filters(samples, shape=image_shape, ax=axes[0][1],
                              title=f"samples of the {len(stack.rbms_)}-layer DBN")
        figs["rbm"] = plotting.save_figure(fig, out / "rbm_filters_samples.png")
    return figs


def write_report(out, results, *, stacks=None, budget_results=None, meta=None, image_shape=None):
    """Write ``report.md``, ``results.json`` and the figures into folder ``out``.

    ``meta`` (settings, ``command``, ``commit``, wall time) heads the report.
    Returns the path of ``report.md``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    deepest = max(r["depth"] for r in results)
    first = results[0]["optimizer"]
    figs = _figures(out, results, stacks, image_shape)
    name = lambda key: Path(figs[key]).name  # noqa: E731
    command = meta.pop("command", "python -m deepbelief")
    commit = meta.pop("commit", None)
    lines = [f"# The vanishing-gradient study ({meta.get('dataset', '')})", "",
             f"Written by `{command}`" + (f" at commit {commit}" if commit else "")
             + "; every number below comes from that run (`results.json` beside it).", ""]
    if meta:
        lines += ["Settings: " + ", ".join(f"{k} = {v}" for k, v in meta.items()), ""]
    lines += [f"![summary]({name('summary')})", "", "## Findings", ""]
    lines += [f"- {f}" for f in findings(results, budget_results, meta)] + [""]
    if stacks:
        secs = ", ".join(f"seed {s}: {t:.1f} s" for s, (_, t) in sorted(stacks.items()))
        lines += [f"Greedy pretraining of the shared RBM stack took {secs}; every DBN net "
                  "starts from its first layers and then gets the same fine-tuning epochs as "
                  "every other method.", ""]
    lines += ["## Test error (%) by depth", "",
              "Mean ± standard deviation over the seeds, each method at the step size chosen "
              "for it (next section).", "", results_table(results), "",
              f"![error vs depth]({name('error_vs_depth')})", "",
              "## Step sizes chosen on the validation split", "",
              "The fine-tuning step of every method, depth and optimizer (and label budget), "
              f"chosen from {_grid_text()} by validation accuracy (in brackets: the worst of "
              f"seeds {_seed_list(sorted({r['seed'] for r in results}))} at that step; with "
              "few labels, each seed on its own labelled rows), the same for every seed; a "
              "step outside the grid means the best lay on its edge and the grid was extended "
              f"past it (at most {MAX_EXTRA_STEPS} steps).", "",
              step_table(results, budget_results), "",
              f"## Gradient norms per layer ({deepest} hidden layers, {first})", "",
              "Backprop multiplies one activation derivative per layer (at most 1/4 for the "
              "sigmoid) and one weight matrix: the norms fall geometrically toward the input "
              "for small random sigmoid weights, and stay level after pretraining or with "
              "ReLU/He. The last point of each line is the output layer.", "",
              gradient_table(results, deepest, first), "",
              f"![gradient norms]({name('grad_norms')})", ""]
    if "saturation" in figs:
        lines += ["## Saturated units per layer over training", "",
                  "Fraction of sigmoid outputs below 0.01 or above 0.99 (Glorot & Bengio 2010), "
                  f"{deepest} layers, {first}, seed {min(r['seed'] for r in results)}. "
                  + _saturation_text(results, deepest, first), "",
                  f"![saturation]({name('saturation')})", ""]
    lines += ["## Learning curves", "", f"![learning curves]({name('learning_curves')})", ""]
    if budget_results:
        lines += ["## Label budget: test error (%) with few labels", "",
                  "The DBN is pretrained on all training images (labels unused), then every net "
                  "is fine-tuned on the labelled subset, at the step size chosen for that budget "
                  "on a fifth of its labelled rows.", "", budget_table(budget_results), ""]
    if "rbm" in figs:
        lines += ["## RBM filters and DBN samples", "", f"![rbm]({name('rbm')})", ""]
    report = out / "report.md"
    report.write_text("\n".join(lines))
    (out / "results.json").write_text(json.dumps(
        {"meta": {**meta, "command": command, "commit": commit}, "results": results,
         "label_budget": budget_results or []}, indent=1))
    return report


def _saturation_text(results, depth, optimizer):
    """What the saturation figure shows of the small-normal sigmoid net, in numbers."""
    row = next((r for r in results if r["method"] == "sigmoid_normal" and r["depth"] == depth
                and r["optimizer"] == optimizer), None)
    if row is None or not row["saturation"]:
        return ""
    last = np.asarray(row["saturation"][-1], dtype=float)
    below = 100 * float(last[:-1].max()) if last.size > 1 else 0.0
    return (f"In the small-normal net the layers below the top stay unsaturated (at most "
            f"{below:.0f} % of their units at the end): with weights of std 0.01 their units "
            "sit near 0.5, where the sigmoid's derivative is at its largest (1/4), and the "
            "gradient vanishes all the same, by the product of 1/4 and small weights per layer."
            + (f" Its top layer ends {100 * float(last[-1]):.0f} % saturated: with nothing "
               "useful coming from below, the output layer drives the top units to 0 or 1, as "
               "Glorot & Bengio observed." if last[-1] > 0.5 else
               f" Its top layer too ({100 * float(last[-1]):.0f} % saturated at the end)."))


def _seed_list(seeds):
    return ", ".join(map(str, selection_seeds(seeds)))


def _plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def _grid_text():
    from .configs import LEARNING_RATE_GRID

    return "; ".join(f"{opt} {', '.join(f'{lr:g}' for lr in grid)}"
                     for opt, grid in LEARNING_RATE_GRID.items())
