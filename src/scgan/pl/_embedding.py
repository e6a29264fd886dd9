"""Real and synthetic cells in one embedding fitted on the real cells, by origin and by label."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from scgan._utils import check_obs_key
from scgan.metrics._features import PCASpace
from scgan.pl._base import (
    BACKGROUND_COLOR,
    REAL_COLOR,
    SYNTHETIC_COLOR,
    doc_params,
    finish,
    label_colors,
    make_axes,
    paired_counts,
)
from scgan.pp._prepare import N_TOP_GENES
from scgan.tl._features import hvg_names

BASES = ("umap", "pca")


@doc_params
def embedding(
    real: AnnData,
    synthetic: AnnData,
    *,
    color: str | None = "cell_type",
    basis: str = "umap",
    layer: str | None = None,
    n_top_genes: int = N_TOP_GENES,
    n_comps: int = 50,
    random_state: int = 0,
    size: float | None = None,
    figsize: tuple[float, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | list[Axes] | None:
    """Plot real and synthetic cells in one embedding fitted on the real cells only.

    Counts of the genes both objects share become log1p counts per 10k of the `n_top_genes` highly variable
    genes of the real cells (seurat_v3), then a PCA fitted on the real cells into which the synthetic cells are
    projected. ``basis="pca"`` shows the first two components; ``basis="umap"`` fits a UMAP (umap-learn) on the
    real cells' PCA and places the synthetic cells with its ``transform``, as :func:`scanpy.tl.ingest` does.
    The real cells alone decide the picture, so synthetic cells are judged against it.

    Panels: all cells coloured by origin (real or synthetic, drawn in random order so neither hides the other);
    then, when `color` is given, the real cells and the synthetic cells coloured by label, side by side with the
    same axes limits and colours, the real cells in grey behind the synthetic ones. Synthetic cells of a label
    should sit where the real cells of that label sit.

    A UMAP transform puts every new cell next to its nearest real cells, even a cell unlike any of them: check
    off-manifold cells with ``basis="pca"`` or :func:`scgan.tl.evaluate`.

    Parameters
    ----------
    {real_synthetic}
    color
        `.obs` column of the labels in both objects, e.g. ``"cell_type"``; `None` draws the origin panel only.
        Colours come from ``real.uns[f'{color}_colors']`` when set (scanpy's convention).
    basis
        ``"umap"`` or ``"pca"``.
    layer
        Layer of `real` holding the counts; `None` for ``.X``.
    n_top_genes
        Highly variable genes of the representation.
    n_comps
        Principal components the UMAP is fitted on.
    random_state
        Seed of the PCA, the UMAP and the drawing order.
    size
        Marker size; `None` scales it with the number of cells.
    figsize
        Size of a new figure.
    ax
        Axes to draw on, one per panel (three, or one with ``color=None``); `None` creates a figure.
    {show_return_fig}

    {returns_axes}
    """
    if basis not in BASES:
        msg = f"basis must be one of {list(BASES)}, got {basis!r}."
        raise ValueError(msg)
    if color is not None:
        check_obs_key(real, color)
        check_obs_key(synthetic, color)
    real_xy, synthetic_xy, axis_labels = _coordinates(
        real, synthetic, basis=basis, layer=layer, n_top_genes=n_top_genes, n_comps=n_comps, random_state=random_state
    )
    if size is None:
        size = float(np.clip(20000 / (len(real_xy) + len(synthetic_xy)), 2, 30))

    fig, axes = make_axes(1 if color is None else 3, ax=ax, figsize=figsize, panel_size=(4.0, 3.8))
    everything = np.vstack([real_xy, synthetic_xy])
    order = np.random.default_rng(random_state).permutation(len(everything))
    origin_colors = np.array([REAL_COLOR] * len(real_xy) + [SYNTHETIC_COLOR] * len(synthetic_xy))
    axes[0].scatter(*everything[order].T, c=origin_colors[order], s=size, linewidths=0, rasterized=True)
    axes[0].legend(
        handles=[
            _marker(REAL_COLOR, f"real ({len(real_xy)} cells)"),
            _marker(SYNTHETIC_COLOR, f"synthetic ({len(synthetic_xy)} cells)"),
        ],
        loc="best",
        fontsize="small",
    )
    axes[0].set_title("Real vs synthetic")

    if color is not None:
        real_labels = real.obs[color].astype(str).to_numpy()
        synthetic_labels = synthetic.obs[color].astype(str).to_numpy()
        labels = list(pd.unique(pd.Series(_categories(real, color) + list(np.unique(synthetic_labels)))))
        colors = label_colors(real, color, labels)
        for axis, xy, side_labels, side in (
            (axes[1], real_xy, real_labels, "real"),
            (axes[2], synthetic_xy, synthetic_labels, "synthetic"),
        ):
            if side == "synthetic":
                axis.scatter(*real_xy.T, c=BACKGROUND_COLOR, s=size, linewidths=0, rasterized=True)
            axis.scatter(*xy.T, c=[colors[label] for label in side_labels], s=size, linewidths=0, rasterized=True)
            axis.set_title(f"{side.capitalize()} cells by {color}")
        handles = [
            _marker(colors[label], label) for label in labels if label in set(real_labels) | set(synthetic_labels)
        ]
        handles.append(_marker(BACKGROUND_COLOR, "real, any label"))
        axes[2].legend(handles=handles, title=color, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)

    pad = 0.04 * (everything.max(0) - everything.min(0))
    for axis in axes:
        axis.set(
            xlim=(everything[:, 0].min() - pad[0], everything[:, 0].max() + pad[0]),
            ylim=(everything[:, 1].min() - pad[1], everything[:, 1].max() + pad[1]),
            xticks=[],
            yticks=[],
            xlabel=axis_labels[0],
            ylabel=axis_labels[1],
        )
    return finish(fig, axes, show=show, return_fig=return_fig)


def _coordinates(
    real: AnnData,
    synthetic: AnnData,
    *,
    basis: str,
    layer: str | None,
    n_top_genes: int,
    n_comps: int,
    random_state: int,
) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """2-D coordinates of real and synthetic cells in an embedding fitted on the real cells, and axis labels."""
    real_counts, synthetic_counts, genes = paired_counts(real, synthetic, layer=layer)
    hvgs = hvg_names(AnnData(X=real_counts, var=pd.DataFrame(index=genes)), n_top_genes=n_top_genes)
    hvg_columns = genes.get_indexer(hvgs)
    real_counts, synthetic_counts = real_counts[:, hvg_columns], synthetic_counts[:, hvg_columns]
    space = PCASpace(max(n_comps, 2), random_state=random_state).fit(real_counts)
    real_pcs, synthetic_pcs = space.transform(real_counts), space.transform(synthetic_counts)
    if basis == "pca":
        explained = 100 * space.pca.explained_variance_ratio_
        return real_pcs[:, :2], synthetic_pcs[:, :2], (f"PC1 ({explained[0]:.1f}%)", f"PC2 ({explained[1]:.1f}%)")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Tensorflow not installed.*")
        from umap import UMAP
    # n_jobs=1: umap-learn runs single-threaded anyway once seeded, and warns unless told so
    reducer = UMAP(n_neighbors=min(15, len(real_pcs) - 1), random_state=random_state, n_jobs=1).fit(real_pcs)
    return reducer.embedding_, reducer.transform(synthetic_pcs), ("UMAP1", "UMAP2")


def _categories(adata: AnnData, key: str) -> list[str]:
    """Labels of `key` in category order (appearance order when not categorical)."""
    values = adata.obs[key]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories.astype(str))
    return list(pd.unique(values.astype(str)))


def _marker(color: str, label: str) -> Line2D:
    """A legend entry for scatter points of one colour."""
    return Line2D([], [], linestyle="", marker="o", markersize=6, markerfacecolor=color, markeredgewidth=0, label=label)
