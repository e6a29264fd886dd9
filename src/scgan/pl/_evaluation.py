"""The fidelity table of :func:`scgan.tl.evaluate`: each metric for synthetic cells next to real-vs-real."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from scgan.pl._base import (
    IDEAL_STYLE,
    REAL_COLOR,
    SYNTHETIC_COLOR,
    as_table,
    check_columns,
    doc_params,
    finish,
    make_axes,
)

PRODUCER = "scgan.tl.evaluate"
COLUMNS = ["metric", "label", "synthetic", "reference", "ideal"]
OVERALL = "all"
# what each metric measures, in a reader's words
DESCRIPTIONS = {
    "auroc": "real vs synthetic AUROC",
    "mmd": "MMD in PCA space",
    "mean_corr": "gene means, r",
    "var_corr": "gene variances, r",
    "zero_frac_corr": "gene zero fractions, r",
    "zero_frac_mae": "gene zero fractions, MAE",
    "library_size_ks": "library sizes, KS",
    "zero_fraction_ks": "cell zero fractions, KS",
    "label_f1": "label recovery, F1",
    "marker_jaccard": "marker overlap, Jaccard",
    "de_lfc_pearson": "DE fold changes, r",
    "de_lfc_spearman": "DE fold changes, Spearman",
    "de_top_overlap": "top 50 DE genes, overlap",
    "de_sign_agreement": "DE signs agree",
    "precision": "in real states (precision)",
    "recall": "real states reached (recall)",
    "density": "k-NN density",
    "coverage": "real states covered",
    "program_corr": "gene-gene correlations, r",
    "memorisation_ratio": "distance to training / real's",
    "memorisation_fraction": "closer to training than real",
    "non_integer_fraction": "non-integer values",
}
PANEL_SIZE = (2.8, 2.6)
SIDES = (("synthetic", "synthetic vs real", SYNTHETIC_COLOR), ("reference", "real vs real (reference)", REAL_COLOR))


@doc_params
def evaluation(
    table: pd.DataFrame | AnnData,
    *,
    metrics: Sequence[str] | None = None,
    per_label: str | Sequence[str] | None = "auroc",
    ncols: int = 4,
    figsize: tuple[float, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | list[Axes] | None:
    """Plot the fidelity of synthetic cells next to the real-vs-real reference, metric by metric.

    One small panel per metric (the ``"all"`` rows): a bar for synthetic vs held-out real cells, a bar for
    real vs real cells of the same size (the value a perfect generator would reach) and the ideal value as a
    dashed line. Synthetic bars close to the reference bar are as good as real data allows. Wide panels below
    show the `per_label` metrics for each label, where a generator usually fails first (rare labels, a dropped
    state: try ``per_label=["auroc", "recall", "de_lfc_pearson"]``).

    Parameters
    ----------
    table
        The table of :func:`scgan.tl.evaluate` (columns ``metric``, ``label``, ``synthetic``, ``reference``,
        ``ideal``, and optionally ``n_real`` and ``n_synthetic``), or the synthetic AnnData it was written to
        (``uns['scgan_evaluation']['table']``).
    metrics
        Metrics to draw, in this order; `None` draws every metric of the table.
    per_label
        Metric, or metrics, to draw per label, one wide panel each below the others; `None` for none.
    ncols
        Number of metric panels per row.
    figsize
        Size of a new figure.
    ax
        Axes to draw on, one per panel (the metrics, then the per-label panels); `None` creates a figure.
    {show_return_fig}

    {returns_axes}
    """
    table = as_table(table, uns_key="scgan_evaluation", field="table", producer=PRODUCER)
    check_columns(table, COLUMNS, producer=PRODUCER)
    table = table.astype({"metric": str, "label": str, "synthetic": float, "reference": float, "ideal": float})
    overall = table[table["label"] == OVERALL].drop_duplicates("metric").set_index("metric")
    if metrics is None:
        metrics = list(overall.index)
    else:
        metrics = list(metrics)
        missing = [metric for metric in metrics if metric not in overall.index]
        if missing:
            msg = (
                f"Metric(s) {missing} have no {OVERALL!r} row in column 'metric'; the table has {list(overall.index)}."
            )
            raise KeyError(msg)
    per_label = [] if per_label is None else [per_label] if isinstance(per_label, str) else list(per_label)
    by_label = {}
    for metric in per_label:
        by_label[metric] = table[(table["metric"] == metric) & (table["label"] != OVERALL)]
        if by_label[metric].empty:
            msg = f"Metric {metric!r} has no per-label rows in the table; pass per_label=None or another metric."
            raise KeyError(msg)
    if not metrics and not by_label:
        msg = "The table has no rows to plot."
        raise ValueError(msg)

    fig, axes = make_axes(
        len(metrics) + len(by_label), ax=ax, figsize=figsize, ncols=ncols, panel_size=PANEL_SIZE, n_wide=len(by_label)
    )
    for axis, metric in zip(axes, metrics, strict=False):
        row = overall.loc[metric]
        offsets = _bars(axis, np.array([0.0]), [row["synthetic"]], [row["reference"]], row["ideal"], width=0.8)
        axis.set_xticks(offsets, ["synthetic", "real vs real"], fontsize="small")
        description = DESCRIPTIONS.get(metric)
        axis.set_title(metric if description is None else f"{metric}\n{description}", fontsize="medium")
    for axis, (metric, rows) in zip(axes[len(metrics) :], by_label.items(), strict=True):
        positions = np.arange(len(rows), dtype=float)
        _bars(axis, positions, rows["synthetic"], rows["reference"], rows["ideal"].iloc[0], width=0.8)
        crowded = len(rows) > 6 or rows["label"].str.len().max() > 12
        axis.set_xticks(positions, rows["label"], rotation=30 if crowded else 0, ha="right" if crowded else "center")
        axis.set(title=f"{metric} per label: {DESCRIPTIONS.get(metric, metric)}", ylabel=metric)
    handles = [Patch(color=color, label=label) for _, label, color in SIDES]
    handles.append(Line2D([], [], **IDEAL_STYLE, label="ideal"))
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    if ax is None:
        fig.suptitle(_sizes_title(table))
    return finish(fig, axes, show=show, return_fig=return_fig)


def _sizes_title(table: pd.DataFrame) -> str:
    """The number of compared cells, from the first overall row; empty when the table does not say."""
    if not {"n_real", "n_synthetic"} <= set(table.columns):
        return ""
    sizes = table.loc[table["label"] == OVERALL, ["n_synthetic", "n_real"]].dropna()
    if sizes.empty:
        return ""
    n_synthetic, n_real = (int(value) for value in sizes.iloc[0])
    return f"Fidelity of {n_synthetic} synthetic cells vs {n_real} held-out real cells"


def _bars(
    axis: Axes, positions: np.ndarray, synthetic, reference, ideal: float, *, width: float
) -> tuple[float, float]:
    """Side-by-side synthetic and reference bars with their values, the ideal as a dashed line; bar offsets."""
    half = width / 2
    values = np.column_stack([np.asarray(synthetic, dtype=float), np.asarray(reference, dtype=float)])
    for column, ((_, label, color), offset) in enumerate(zip(SIDES, (-half / 2, half / 2), strict=True)):
        heights = values[:, column]
        bars = axis.bar(positions + offset, np.nan_to_num(heights), width=half, color=color, label=label)
        for bar, height in zip(bars, heights, strict=True):
            text = "n/a" if np.isnan(height) else f"{height:.2g}"
            axis.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 0)),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize="x-small",
            )
    axis.axhline(ideal, **IDEAL_STYLE, label="ideal")
    finite = values[np.isfinite(values)]
    top = max([ideal, *finite]) if finite.size else ideal
    bottom = min([0.0, ideal, *finite]) if finite.size else min(0.0, ideal)
    span = top - bottom if top > bottom else 1.0
    axis.set_ylim(bottom, bottom + 1.18 * span)
    return -half / 2, half / 2
