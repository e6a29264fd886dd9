"""The oversampling benchmark: each arm's score on held-out real cells, mean and spread over seeds."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from scgan._utils import as_key_list
from scgan.pl._base import SYNTHETIC_COLOR, as_table, check_columns, doc_params, finish, make_axes

PRODUCER = "scgan.tl.benchmark_oversampling"
GROUPS = ("n_rare", "classifier", "features")
OTHER_COLOR = "#555555"
BASELINE_COLOR = "#888888"
METRIC_NAMES = {
    "rare_f1": "rare-class F1",
    "rare_precision": "rare-class precision",
    "rare_recall": "rare-class recall",
    "macro_f1": "macro-F1",
    "balanced_accuracy": "balanced accuracy",
    "n_synthetic": "synthetic cells added",
}


@doc_params
def oversampling(
    table: pd.DataFrame | AnnData,
    *,
    metric: str = "rare_f1",
    rows: str | Sequence[str] = "classifier",
    columns: str | Sequence[str] = ("features", "n_rare"),
    highlight: str | None = "scgan",
    baseline: str | None = "none",
    figsize: tuple[float, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | list[Axes] | None:
    """Plot the oversampling benchmark: each method's score on held-out real cells over seeds.

    A grid of panels, one per combination of the `rows` and `columns` values (by default classifiers in rows,
    feature spaces x numbers of rare training cells in columns). In each panel, one line per method: the mean
    over seeds with an error bar of one standard deviation, and each seed as a small dot. The `highlight`
    method is drawn in colour, and a dotted vertical line marks the mean of the `baseline` method (no
    augmentation), the score to beat.

    Parameters
    ----------
    table
        The tidy results of :func:`scgan.tl.benchmark_oversampling` (columns ``seed``, ``method``, `metric` and
        those of `rows` and `columns`), or the AnnData it was written to (``uns['scgan_oversampling']['results']``).
    metric
        Score to plot, e.g. ``"rare_f1"``, ``"rare_recall"`` or ``"macro_f1"``.
    rows, columns
        Column(s) of `table` whose values make the rows and columns of the grid. Every one of ``n_rare``,
        ``classifier`` and ``features`` with several values must be among them, or seeds of different settings
        would be mixed.
    highlight
        Method drawn in colour; `None` for none.
    baseline
        Method whose mean is marked in every panel; `None` for none.
    figsize
        Size of a new figure.
    ax
        Axes to draw on, one per panel (row by row); `None` creates a figure.
    {show_return_fig}

    {returns_axes}
    """
    table = as_table(table, uns_key="scgan_oversampling", field="results", producer=PRODUCER)
    rows, columns = as_key_list(rows), as_key_list(columns)
    check_columns(table, ["seed", "method", metric, *rows, *columns], producer=PRODUCER)
    mixed = [
        name for name in GROUPS if name in table.columns and name not in rows + columns and table[name].nunique() > 1
    ]
    if mixed:
        msg = (
            f"Column(s) {mixed} have several values but are neither in rows nor columns; add them to one of the two, "
            f"or select one value of each (e.g. table[table[{mixed[0]!r}] == ...])."
        )
        raise ValueError(msg)
    table = table.astype({"method": str, metric: float})
    methods = list(pd.unique(table["method"]))
    row_values = _combinations(table, rows)
    column_values = _combinations(table, columns)

    fig, axes = make_axes(
        len(row_values) * len(column_values),
        ax=ax,
        figsize=figsize,
        ncols=len(column_values),
        panel_size=(3.0, 0.32 * len(methods) + 1.3),
        sharey=True,
    )
    positions = {method: i for i, method in enumerate(methods)}
    rng = np.random.default_rng(0)
    in_range = table[metric].dropna().between(0, 1).all()
    for axis, (row, column) in zip(axes, itertools.product(row_values, column_values), strict=True):
        panel = table[_selects(table, rows, row) & _selects(table, columns, column)]
        scores = panel.groupby("method", sort=False)[metric]
        for method, seeds in scores:
            color = SYNTHETIC_COLOR if method == highlight else OTHER_COLOR
            y = positions[method]
            values = seeds.dropna().to_numpy()
            axis.scatter(values, y + rng.uniform(-0.18, 0.18, len(values)), s=10, color=color, alpha=0.45, linewidths=0)
            std = values.std(ddof=1) if len(values) > 1 else 0.0
            axis.errorbar(
                values.mean() if len(values) else np.nan, y, xerr=std, fmt="o", color=color, capsize=3, markersize=6
            )
        if baseline is not None and baseline in scores.groups:
            axis.axvline(scores.get_group(baseline).mean(), color=BASELINE_COLOR, linestyle=":", linewidth=1.2)
        axis.set_title(_panel_title(rows, row, columns, column), fontsize="medium")
        if in_range:
            axis.set_xlim(-0.03, 1.03)
        axis.grid(axis="x", color="#EEEEEE", linewidth=0.8)
        axis.set_axisbelow(True)

    for i, axis in enumerate(axes):
        axis.set_yticks(range(len(methods)), methods)
        axis.set_ylim(len(methods) - 0.5, -0.5)
        axis.tick_params(axis="y", labelleft=i % len(column_values) == 0)
        for label in axis.get_yticklabels():
            if label.get_text() == highlight:
                label.set(color=SYNTHETIC_COLOR, fontweight="bold")
        if i >= len(axes) - len(column_values):
            axis.set_xlabel(METRIC_NAMES.get(metric, metric))

    name = METRIC_NAMES.get(metric, metric)
    n_seeds = table["seed"].nunique()
    handles = [
        Line2D([], [], marker="o", color=OTHER_COLOR, label=f"mean ± std over {n_seeds} seeds"),
        Line2D([], [], marker="o", linestyle="", markersize=4, alpha=0.45, color=OTHER_COLOR, label="one seed"),
    ]
    if baseline is not None and baseline in methods:
        handles.append(Line2D([], [], color=BASELINE_COLOR, linestyle=":", label=f"mean of {baseline!r} (baseline)"))
    if ax is None:
        fig.suptitle(f"{name} ({metric}) on held-out real cells")
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize="small")
    else:
        axes[-1].legend(handles=handles, fontsize="x-small", frameon=False)
    return finish(fig, axes, show=show, return_fig=return_fig)


def _combinations(table: pd.DataFrame, keys: list[str]) -> list[tuple]:
    """The value combinations of `keys` in `table`, in order of appearance (one empty one without keys)."""
    if not keys:
        return [()]
    return list(table[keys].drop_duplicates().itertuples(index=False, name=None))


def _selects(table: pd.DataFrame, keys: list[str], values: tuple) -> pd.Series:
    """Rows of `table` whose `keys` have `values`."""
    mask = pd.Series(True, index=table.index)
    for key, value in zip(keys, values, strict=True):
        mask &= table[key] == value
    return mask


def _panel_title(rows: list[str], row: tuple, columns: list[str], column: tuple) -> str:
    """The settings of one panel, e.g. ``"logreg | pca | n_rare = 10"``."""
    parts = [
        f"{key} = {value}" if key == "n_rare" else str(value)
        for key, value in zip(rows + columns, row + column, strict=True)
    ]
    return " | ".join(parts)
