"""Per-gene and per-cell count statistics of synthetic cells against real cells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from anndata import AnnData
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from scgan.metrics import cell_ks, gene_agreement
from scgan.metrics._fidelity import _cell_stats, _gene_stats
from scgan.pl._base import IDEAL_STYLE, REAL_COLOR, SYNTHETIC_COLOR, doc_params, finish, make_axes, paired_counts

GENE_COLOR = "#333333"


@doc_params
def marginals(
    real: AnnData,
    synthetic: AnnData,
    *,
    layer: str | None = None,
    figsize: tuple[float, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | list[Axes] | None:
    """Plot per-gene mean, variance and zero fraction, real vs synthetic, and per-cell library sizes.

    Four panels over the genes both objects share. Three scatter plots with one dot per gene, real on x and
    synthetic on y, and the identity line where a perfect generator puts every gene: mean count and variance
    (log scales; genes with a zero on either side cannot be drawn and are counted in the panel) and the fraction
    of cells with zero counts. Each is annotated with the agreement :func:`scgan.metrics.gene_agreement`
    reports (Pearson r of log1p mean or variance, r and mean absolute error of the zero fractions). The fourth
    panel overlays the distributions of counts per cell (library size), with their KS statistic
    (:func:`scgan.metrics.cell_ks`).

    Parameters
    ----------
    {real_synthetic}
    layer
        Layer of `real` holding the counts; `None` for ``.X``.
    figsize
        Size of a new figure.
    ax
        Four Axes to draw on; `None` creates a figure.
    {show_return_fig}

    Returns
    -------
    The Figure if `return_fig`; otherwise the list of four Axes when not shown, else None.
    """
    real_counts, synthetic_counts, genes = paired_counts(real, synthetic, layer=layer)
    real_stats, synthetic_stats = _gene_stats(real_counts), _gene_stats(synthetic_counts)
    agreement = gene_agreement(real_counts, synthetic_counts)
    fig, axes = make_axes(4, ax=ax, figsize=figsize, panel_size=(3.4, 3.3))

    panels = (
        ("Gene mean count", "mean", True, f"{len(genes)} genes\nr(log1p) = {agreement['mean_corr']:.3f}"),
        ("Gene variance", "variance", True, f"r(log1p) = {agreement['var_corr']:.3f}"),
        (
            "Gene zero fraction",
            "zero fraction",
            False,
            f"r = {agreement['zero_frac_corr']:.3f}\nMAE = {agreement['zero_frac_mae']:.3f}",
        ),
    )
    for axis, real_values, synthetic_values, (title, quantity, log, note) in zip(
        axes, real_stats, synthetic_stats, panels, strict=False
    ):
        shown = (real_values > 0) & (synthetic_values > 0) if log else np.ones(len(real_values), dtype=bool)
        x, y = real_values[shown], synthetic_values[shown]
        axis.scatter(x, y, s=6, color=GENE_COLOR, alpha=0.5, linewidths=0, rasterized=True)
        if log:
            axis.set(xscale="log", yscale="log")
            low, high = min(x.min(), y.min()) / 1.5, max(x.max(), y.max()) * 1.5
            if (~shown).any():
                note += f"\n{int((~shown).sum())} genes with a zero not shown"
        else:
            low, high = -0.02, 1.02
        axis.plot([low, high], [low, high], **IDEAL_STYLE, label="identity (ideal)")
        axis.set(
            xlim=(low, high), ylim=(low, high), title=title, xlabel=f"real {quantity}", ylabel=f"synthetic {quantity}"
        )
        axis.text(0.04, 0.96, note, transform=axis.transAxes, va="top", fontsize="small")
        axis.legend(loc="lower right", fontsize="small", frameon=False)

    real_library, synthetic_library = _cell_stats(real_counts)[0], _cell_stats(synthetic_counts)[0]
    library = axes[3]
    positive = np.concatenate([real_library, synthetic_library])
    positive = positive[positive > 0]
    bins = np.geomspace(positive.min(), positive.max(), 40) if len(positive) else 10
    for values, color, side in ((real_library, REAL_COLOR, "real"), (synthetic_library, SYNTHETIC_COLOR, "synthetic")):
        library.hist(
            values,
            bins=bins,
            weights=np.full(len(values), 1 / len(values)),
            histtype="step",
            linewidth=1.8,
            color=color,
            label=f"{side} ({len(values)} cells)",
        )
    library.set(xscale="log", title="Library size per cell", xlabel="total counts per cell", ylabel="fraction of cells")
    # plain numbers at 1, 2 and 5 x 10^k: library sizes rarely span more than a decade or two
    library.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    library.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    library.xaxis.set_minor_formatter(NullFormatter())
    library.set_ylim(0, library.get_ylim()[1] * 1.35)
    ks = cell_ks(real_counts, synthetic_counts)["library_size_ks"]
    library.legend(title=f"KS = {ks:.3f}", loc="upper right", fontsize="small", title_fontsize="small", frameon=False)
    return finish(fig, axes, show=show, return_fig=return_fig)
