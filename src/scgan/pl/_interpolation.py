"""Genes (or gene-set scores) along a latent walk of :func:`scgan.tl.interpolate`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scanpy.plotting.palettes import default_20

from scgan._utils import check_nonempty, get_matrix
from scgan.pl._base import doc_params, finish, make_axes

PRODUCER = "scgan.tl.interpolate"
UNS_KEY = "scgan_interpolation"


@doc_params
def interpolation(
    adata: AnnData,
    genes: str | Sequence[str] | Mapping[str, Sequence[str]],
    *,
    real: AnnData | None = None,
    layer: str | None = None,
    figsize: tuple[float, float] | None = None,
    ax: Axes | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | None:
    """Plot the expression of chosen genes, or of gene sets, along a latent walk.

    For each step of the walk, the line is the mean over its cells of log1p counts per 10k (a gene) or of the
    mean log1p counts per 10k of a set of genes (a score, e.g. the markers of a cell type or an interferon
    response), and the shaded band one standard deviation either side. With `real`, the same mean and
    standard deviation of real cells of the start and of the end condition are drawn at positions 0 and 1, so
    you can see whether the walk starts and ends where real cells are.

    Parameters
    ----------
    adata
        Cells from :func:`scgan.tl.interpolate` (``obs['scgan_step']``, ``obs['scgan_position']`` and
        ``uns['scgan_interpolation']``).
    genes
        A gene, a list of genes (one line each), or a mapping name -> genes (one score line each).
    real
        Real cells (counts) with the model's condition columns in `.obs`; their start and end conditions are
        drawn as reference points. `None` draws none.
    layer
        Layer of `real` holding the counts; `None` for ``.X``.
    figsize
        Size of a new figure.
    ax
        Axes to draw on; `None` creates a figure.
    {show_return_fig}

    Returns
    -------
    The Figure if `return_fig`; otherwise the Axes when not shown, else None.
    """
    check_nonempty(adata)
    params = adata.uns.get(UNS_KEY)
    missing = [column for column in ("scgan_step", "scgan_position") if column not in adata.obs.columns]
    if not isinstance(params, Mapping) or missing:
        msg = f"adata holds no latent walk (uns[{UNS_KEY!r}], obs 'scgan_step' and 'scgan_position'); run {PRODUCER}."
        raise KeyError(msg)
    sets = _gene_sets(genes, adata.var_names)
    steps = adata.obs["scgan_step"].to_numpy()
    order = np.unique(steps)
    positions = adata.obs.groupby("scgan_step")["scgan_position"].first().loc[order].to_numpy(dtype=float)
    values = _scores(adata.X, adata.var_names, sets)

    fig, (axis,) = make_axes(1, ax=ax, figsize=figsize, panel_size=(5.5, 3.6))
    colors = dict(zip(sets, default_20, strict=False))
    for name, score in values.items():
        by_step = pd.Series(score).groupby(steps)
        mean, spread = by_step.mean().loc[order].to_numpy(), by_step.std(ddof=0).loc[order].to_numpy()
        axis.plot(positions, mean, color=colors[name], marker="o", markersize=3, label=name)
        axis.fill_between(positions, np.maximum(mean - spread, 0), mean + spread, color=colors[name], alpha=0.2)
    start, end = tuple(params["start"]), params["end"]
    end = start if end is None else tuple(end)
    if real is not None:
        _draw_real(axis, real, layer, sets, colors, keys=list(params["condition_keys"]), ends=(start, end))
    if params["mode"] == "noise":
        title = f"{' | '.join(start)}: between two noise vectors"
    else:
        title = f"{' | '.join(start)}  →  {' | '.join(end)}"
    axis.set(title=title, xlabel="position along the walk", ylabel="log1p counts per 10k", xlim=(-0.05, 1.05))
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return finish(fig, [axis], show=show, return_fig=return_fig)


def _gene_sets(genes, var_names: pd.Index) -> dict[str, list[str]]:
    """Line name -> genes averaged into it, refusing genes the cells do not have."""
    if isinstance(genes, str):
        sets = {genes: [genes]}
    elif isinstance(genes, Mapping):
        sets = {
            str(name): [genes_of] if isinstance(genes_of, str) else list(genes_of) for name, genes_of in genes.items()
        }
    else:
        sets = {str(gene): [gene] for gene in genes}
    if not sets or not all(sets.values()):
        msg = "Pass at least one gene, and at least one gene per gene set."
        raise ValueError(msg)
    unknown = sorted({gene for members in sets.values() for gene in members} - set(var_names))
    if unknown:
        msg = f"Genes {unknown[:10]} are not in adata.var_names; pass genes the model was trained on."
        raise KeyError(msg)
    return sets


def _scores(counts, var_names: pd.Index, sets: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Per cell: mean log1p counts per 10k over the genes of each set (only those columns are densified)."""
    totals = np.maximum(np.asarray(counts.sum(axis=1), dtype=np.float64).ravel(), 1.0)
    scores = {}
    for name, members in sets.items():
        block = counts[:, var_names.get_indexer(members)]
        block = block.toarray() if sp.issparse(block) else np.asarray(block)
        scores[name] = np.log1p(block / totals[:, None] * 1e4).mean(axis=1)
    return scores


def _draw_real(
    axis: Axes, real: AnnData, layer: str | None, sets: dict, colors: dict, *, keys: list[str], ends: tuple
) -> None:
    """Mean and standard deviation of real cells of the start (at 0) and end (at 1) conditions."""
    check_nonempty(real)
    absent = [key for key in keys if key not in real.obs.columns]
    if absent:
        msg = f"real lacks the condition column(s) {absent} of the walk; pass real cells with {keys} in .obs."
        raise KeyError(msg)
    _gene_sets(sets, real.var_names)
    labels = real.obs[keys].astype(str).to_numpy()
    scores = _scores(get_matrix(real, layer), real.var_names, sets)
    for position, condition in zip((0.0, 1.0), ends, strict=True):
        cells = (labels == np.asarray(condition)).all(axis=1)
        if not cells.any():
            msg = f"real has no cells of the condition {condition} ({keys}); pass real cells of both ends."
            raise ValueError(msg)
        for name, score in scores.items():
            axis.errorbar(
                position,
                score[cells].mean(),
                yerr=score[cells].std(),
                color=colors[name],
                marker="D",
                markersize=6,
                markeredgecolor="black",
                capsize=3,
                linestyle="none",
            )
    axis.plot([], [], marker="D", color="white", markeredgecolor="black", linestyle="none", label="real cells (± sd)")
