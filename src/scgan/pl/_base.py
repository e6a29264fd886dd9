"""What every plot shares: its axes (the user's or a new grid), its input tables, its colours and its return."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scanpy.plotting.palettes import default_20, default_28, default_102

from scgan._utils import check_nonempty, get_matrix

REAL_COLOR = "#4C72B0"
SYNTHETIC_COLOR = "#E1812C"
BACKGROUND_COLOR = "#D9D9D9"
IDEAL_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.0}
PANEL_SIZE = (3.2, 2.8)

DOC_PARTS = {
    "real_synthetic": """\
real
    Real cells with counts in `layer` (e.g. held-out cells).
synthetic
    Synthetic cells with counts in ``.X``, e.g. from :func:`scgan.tl.generate`.""",
    "show_return_fig": """\
show
    Show the figure; `None` shows it only in interactive mode (e.g. a notebook).
return_fig
    Return the Figure instead of the Axes.""",
    "returns_axes": """\
Returns
-------
The Figure if `return_fig`; otherwise the Axes (a list when there are several panels) when not shown, else
None.""",
}


def doc_params(function):
    """Replace each docstring line ``{name}`` by ``DOC_PARTS[name]`` at that line's indent (scanpy's doc_params)."""
    if function.__doc__ is None:  # docstrings stripped (python -OO)
        return function
    lines = []
    for line in function.__doc__.splitlines():
        name = line.strip()
        if name.startswith("{") and name.endswith("}"):
            line = textwrap.indent(DOC_PARTS[name[1:-1]], line[: len(line) - len(line.lstrip())])
        lines.append(line)
    function.__doc__ = "\n".join(lines)
    return function


def make_axes(
    n_panels: int,
    *,
    ax: Axes | Sequence[Axes] | None,
    figsize: tuple[float, float] | None,
    ncols: int | None = None,
    panel_size: tuple[float, float] = PANEL_SIZE,
    n_wide: int = 0,
    sharey: bool = False,
) -> tuple[Figure, list[Axes]]:
    """Axes for `n_panels` panels: the user's `ax` (one Axes per panel), or a new grid of `ncols` columns.

    The last `n_wide` panels of a new grid span a whole row each, below the others.
    """
    if ax is not None:
        axes = [ax] if isinstance(ax, Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) != n_panels or not all(isinstance(one, Axes) for one in axes):
            msg = (
                f"This plot draws {n_panels} panel(s); pass ax=None for a new figure, or {n_panels} matplotlib "
                f"Axes (got {len(axes)} item(s))."
            )
            raise ValueError(msg)
        return axes[0].figure, axes
    n_grid = n_panels - n_wide
    ncols = max(1, min(ncols or n_grid, n_grid)) if n_grid else 1
    nrows = math.ceil(n_grid / ncols) + n_wide
    if figsize is None:
        figsize = (panel_size[0] * ncols, panel_size[1] * nrows)
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    axes: list[Axes] = []
    for i in range(n_grid):
        share = axes[i - i % ncols] if sharey and i % ncols else None
        axes.append(fig.add_subplot(grid[i // ncols, i % ncols], sharey=share))
    axes += [fig.add_subplot(grid[nrows - n_wide + i, :]) for i in range(n_wide)]
    return fig, axes


def finish(fig: Figure, axes: list[Axes], *, show: bool | None, return_fig: bool) -> Figure | Axes | list[Axes] | None:
    """Return what scanpy's plots return: the Figure, else the Axes when not shown, else None."""
    if return_fig:
        return fig
    if show is None:
        show = mpl.is_interactive()
    if show:
        plt.show()
        return None
    return axes[0] if len(axes) == 1 else axes


def as_table(data: pd.DataFrame | AnnData, *, uns_key: str, field: str, producer: str) -> pd.DataFrame:
    """The table itself, or the one `producer` stored as ``adata.uns[uns_key][field]`` (a dict of columns)."""
    if isinstance(data, AnnData):
        stored = data.uns.get(uns_key)
        if not isinstance(stored, dict) or field not in stored:
            msg = f"adata.uns[{uns_key!r}][{field!r}] not found; run {producer} first, or pass its table."
            raise KeyError(msg)
        data = stored[field]
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True)
    return pd.DataFrame(data)


def check_columns(table: pd.DataFrame, columns: Sequence[str], *, producer: str) -> None:
    """Raise a KeyError naming the columns a table lacks."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        msg = f"The table lacks column(s) {missing}; it has {list(table.columns)}. Pass the table of {producer}."
        raise KeyError(msg)


def paired_counts(real: AnnData, synthetic: AnnData, *, layer: str | None) -> tuple[object, object, pd.Index]:
    """Counts of real (`layer`) and synthetic (``.X``) cells over the genes they share, in real's gene order."""
    check_nonempty(real)
    check_nonempty(synthetic)
    genes = real.var_names[real.var_names.isin(synthetic.var_names)]
    if len(genes) == 0:
        msg = "Real and synthetic cells share no gene (var_names); pass synthetic cells generated for these genes."
        raise ValueError(msg)
    real_counts = get_matrix(real, layer)[:, real.var_names.get_indexer(genes)]
    synthetic_counts = synthetic.X[:, synthetic.var_names.get_indexer(genes)]
    return real_counts, synthetic_counts, genes


def label_colors(adata: AnnData, key: str, labels: Sequence[str]) -> dict[str, str]:
    """A colour per label: scanpy's ``adata.uns[f'{key}_colors']`` when it fits, else scanpy's default palettes."""
    stored = adata.uns.get(f"{key}_colors")
    categories = adata.obs[key].cat.categories if isinstance(adata.obs[key].dtype, pd.CategoricalDtype) else None
    if stored is not None and categories is not None and len(stored) == len(categories):
        colors = dict(zip(categories.astype(str), stored, strict=True))
        if all(label in colors for label in labels):
            return {label: colors[label] for label in labels}
    palette = next(
        (p for p in (default_20, default_28, default_102) if len(p) >= len(labels)), plt.get_cmap("tab20").colors
    )
    return {label: mpl.colors.to_hex(palette[i % len(palette)]) for i, label in enumerate(labels)}
