"""Fidelity of synthetic cells: every metric against held-out real cells, next to a real-vs-real reference.

The driver: it turns the AnnData objects into the shared representations of each side and assembles the table
from the classic fidelity rows and the biology rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from anndata import AnnData

from scgan._utils import categorical, iter_row_chunks, stratified_sample
from scgan.metrics._features import PCASpace, log1p_cp10k
from scgan.tl._evaluate_biology import N_PROGRAM_GENES, contrasts_of, de_table, memorisation_table, states_table
from scgan.tl._evaluate_cells import (
    Cells,
    check_inputs,
    common_genes,
    joint,
    labels_of,
    match_composition,
    select,
    split_in_two,
)
from scgan.tl._evaluate_fidelity import fidelity_table
from scgan.tl._evaluate_table import tidy
from scgan.tl._features import hvg_names

# a side bounded by `max_cells` keeps at least this many cells of each label (all of a smaller one)
MIN_CELLS_PER_LABEL = 200


def evaluate(
    real: AnnData,
    synthetic: AnnData,
    *,
    key: str,
    layer: str | None = None,
    reference: AnnData | None = None,
    contrast_key: str | None = None,
    n_top_genes: int = 2000,
    n_comps: int = 50,
    max_cells: int | None = 10_000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Measure how real synthetic cells look, overall and per label, next to a real-vs-real reference.

    Synthetic cells are compared with held-out real cells. Every metric is also computed between those real
    cells and other real cells ("reference"), subsampled to the label composition and size of the synthetic
    cells, which shows the value a perfect generator would reach at this sample size.

    The cell representation of the classifier test, the MMD and label faithfulness (log1p counts per 10k of
    `n_top_genes` seurat_v3 highly variable genes, then PCA with `n_comps` components) is fitted on real
    cells that are neither compared nor used as reference: cells inside a PCA fit differ from cells projected
    into it, enough for a classifier to tell real from real. With `reference`, it is split by label in two
    halves, one fitting the representation and one serving as reference, and all of `real` is compared.
    Without it, `real` is split by label in three equal parts: fit, compared and reference. The reference cells
    are subsampled to the synthetic cells' count per label, as far as the available cells allow.

    On large data each side (fitting cells, compared cells, synthetic cells) is a stratified sample of at most
    about `max_cells` cells, every label keeping its share but at least 200 cells (all of a smaller label), so
    the metrics cost the same on an atlas as on a sample of it. Only the memorisation rows use every `reference`
    cell: its principal components, computed in blocks, are searched for each cell's nearest training cell.

    Metrics (column ``metric``; ideal value in column ``ideal``):

    - ``auroc``: random-forest classifier two-sample test, real vs synthetic (ideal 0.5);
    - ``mmd``: squared MMD with Gaussian kernels at multiples of the median distance (ideal 0);
    - ``mean_corr``, ``var_corr``, ``zero_frac_corr``, ``zero_frac_mae``: per-gene agreement of
      log1p mean, log1p variance and zero fraction of counts, over all common genes;
    - ``library_size_ks``, ``zero_fraction_ks``: KS statistics of per-cell library size and zero fraction;
    - ``label_f1``: macro-F1 of a classifier trained on the compared real cells predicting the requested
      labels of the synthetic cells (overall only);
    - ``marker_jaccard``: Jaccard index of the top 20 marker genes (by difference of mean log expression,
      among the highly variable genes) per label, and their mean over labels as ``"all"``;
    - ``de_lfc_pearson``, ``de_lfc_spearman``, ``de_top_overlap``, ``de_sign_agreement``: differential
      expression recovery (:func:`scgan.metrics.de_agreement`, scanpy's Wilcoxon test on log1p counts per 10k
      of the highly variable genes): correlation of log2 fold changes, overlap of the top 50 genes and sign
      agreement of the significant genes. With `contrast_key`, each of its levels against its first level
      within each label (e.g. stim vs ctrl per cell type, row ``label`` the cell type, or
      ``"<label>: <level> vs <first level>"`` with more than two levels); without, each label against all
      other cells. ``"all"`` is their mean over contrasts;
    - ``precision``, ``recall``, ``density``, ``coverage``: k-nearest-neighbour balls (k = 5) in the PCA space
      (:func:`scgan.metrics.precision_recall_coverage`): synthetic cells where real cells are, and real states
      the synthetic cells reach (ideal 1);
    - ``program_corr``: agreement of the gene-gene correlation matrices of the top 100 highly variable genes
      (:func:`scgan.metrics.gene_program_agreement`; ideal 1);
    - ``memorisation_ratio``, ``memorisation_fraction``: with `reference` (the training cells), the distance of
      each synthetic cell to its nearest training cell against the same for the compared real cells, in the
      PCA space (:func:`scgan.metrics.memorisation`; ideal 1 and about 0). Their reference compares one half
      of the compared cells with the other half. Without `reference` these rows are absent;
    - ``non_integer_fraction``: fraction of stored values that are not valid counts (ideal 0).

    Labels with too few cells on a side get NaN.

    Parameters
    ----------
    real
        Held-out real cells (counts) that the generator never saw, with ``.obs[key]``.
    synthetic
        Synthetic cells with integer counts in ``.X`` and the labels they were generated for in ``.obs[key]``.
    key
        `.obs` column of the labels, e.g. ``"cell_type"``.
    layer
        Layer of `real` and `reference` holding the counts; `None` for ``.X``. Synthetic counts are always
        read from ``.X``, where :func:`scgan.tl.generate` writes them.
    reference
        Other real cells (e.g. the training cells), disjoint from `real`, used to fit the representation and
        as real-vs-real reference, and, for memorisation, as the generator's training cells. Without it, `real`
        is split in three.
    contrast_key
        `.obs` column (of all three objects) whose levels are contrasted within each label for differential
        expression, e.g. ``"condition"`` for stimulated vs control cells of each cell type; the reference cells
        then also match the synthetic cells' composition of label x level. `None`: each label against the
        other cells.
    n_top_genes
        Highly variable genes of the representation.
    n_comps
        Principal components of the representation.
    max_cells
        Cells per side beyond which a stratified sample is compared (see above); `None`: every cell.
    random_state
        Seed of the splits, subsampling and classifiers.

    Returns
    -------
    A tidy DataFrame, one row per metric and label, with columns ``metric``, ``label`` (``"all"`` for all
    cells), ``synthetic`` (synthetic vs real), ``reference`` (real vs real; NaN where not computed), ``ideal``,
    ``n_real`` (compared real cells) and ``n_synthetic``. A copy is written to

    `synthetic.uns['scgan_evaluation']`
        Dict with ``'table'`` (the DataFrame as a dict of columns) and ``'params'``: the parameters, the genes
        of the representation (``'hvgs'``) and of the gene programs (``'program_genes'``), and the obs names of the real cells that fitted it
        (``'fit_cells'``, from `reference` when given), that were compared (``'compared_cells'``) and that
        served as reference (``'reference_cells'``), and of the synthetic cells compared (``'synthetic_cells'``).
    """
    real_counts, synthetic_counts, reference_counts = check_inputs(
        real, synthetic, reference, key=key, contrast_key=contrast_key, layer=layer, max_cells=max_cells
    )
    genes = common_genes(real, synthetic, reference)
    real_labels = labels_of(real, key, "real")
    synthetic_labels = labels_of(synthetic, key, "synthetic")
    real_contrasts = synthetic_contrasts = fit_contrasts = None
    if contrast_key is not None:
        real_contrasts = labels_of(real, contrast_key, "real")
        synthetic_contrasts = labels_of(synthetic, contrast_key, "synthetic")
    unknown = sorted(set(synthetic_labels) - set(real_labels))
    if unknown:
        msg = (
            f"Synthetic labels {unknown} of column {key!r} do not occur in the real cells, so they cannot be "
            f"compared. Real labels: {sorted(set(real_labels))}."
        )
        raise ValueError(msg)

    if reference is None:
        fit_source, fit_source_counts, fit_labels, fit_contrasts = real, real_counts, real_labels, real_contrasts
        fit_rows, rest = split_in_two(real_labels, second_fraction=2 / 3, random_state=random_state)
        compared_in_rest, reference_in_rest = split_in_two(
            real_labels[rest], second_fraction=0.5, random_state=random_state
        )
        compared_rows, reference_pool = rest[compared_in_rest], rest[reference_in_rest]
    else:
        fit_source, fit_source_counts, fit_labels = reference, reference_counts, labels_of(reference, key, "reference")
        if contrast_key is not None:
            fit_contrasts = labels_of(reference, contrast_key, "reference")
        fit_rows, reference_pool = split_in_two(fit_labels, second_fraction=0.5, random_state=random_state)
        compared_rows = np.arange(real.n_obs)

    def bounded(rows: np.ndarray, groups: np.ndarray) -> np.ndarray:
        if max_cells is None:
            return rows
        kept = stratified_sample(
            groups[rows], max_cells=max_cells, min_per_group=MIN_CELLS_PER_LABEL, random_state=random_state
        )
        return rows[kept]

    fit_groups, synthetic_groups = joint(fit_labels, fit_contrasts), joint(synthetic_labels, synthetic_contrasts)
    fit_rows = bounded(fit_rows, fit_groups)
    compared_rows = bounded(compared_rows, joint(real_labels, real_contrasts))
    synthetic_rows = bounded(np.arange(synthetic.n_obs), synthetic_groups)
    reference_rows = match_composition(
        reference_pool, fit_groups[reference_pool], synthetic_groups[synthetic_rows], random_state=random_state
    )

    fit_counts = select(fit_source_counts, fit_rows, fit_source.var_names.get_indexer(genes))
    fit_cells = AnnData(X=fit_counts, var=pd.DataFrame(index=genes))
    hvgs = hvg_names(fit_cells, n_top_genes=n_top_genes)
    hvg_columns = pd.Index(genes).get_indexer(hvgs)
    space = PCASpace(n_comps, random_state=random_state).fit(fit_counts[:, hvg_columns])
    program_genes = set(hvg_names(fit_cells, n_top_genes=N_PROGRAM_GENES))
    program_columns = np.flatnonzero([gene in program_genes for gene in hvgs])

    def cells(counts, rows, var_names, labels, contrasts) -> Cells:
        counts = select(counts, rows, var_names.get_indexer(genes))
        return Cells(
            counts,
            space.transform(counts[:, hvg_columns]),
            log1p_cp10k(counts[:, hvg_columns]),
            labels[rows],
            None if contrasts is None else contrasts[rows],
        )

    compared = cells(real_counts, compared_rows, real.var_names, real_labels, real_contrasts)
    synthetic_cells = cells(
        synthetic_counts, synthetic_rows, synthetic.var_names, synthetic_labels, synthetic_contrasts
    )
    reference_cells = cells(fit_source_counts, reference_rows, fit_source.var_names, fit_labels, fit_contrasts)

    present = set(real_labels)
    label_order = [label for label in categorical(real.obs[key]).cat.categories.astype(str) if label in present]
    sides = (compared, synthetic_cells, reference_cells)
    tables = [
        fidelity_table(*sides, label_order, random_state=random_state),
        states_table(*sides, label_order, program_columns=program_columns, random_state=random_state),
        de_table(*sides, contrasts_of(real, contrast_key, label_order)),
    ]
    if reference is not None:
        columns = reference.var_names.get_indexer(hvgs)
        training_features = np.vstack(
            [space.transform(block[:, columns]) for _, block in iter_row_chunks(reference_counts)]
        )
        tables.append(
            memorisation_table(training_features, compared, synthetic_cells, label_order, random_state=random_state)
        )
    table = tidy(pd.concat(tables))
    synthetic.uns["scgan_evaluation"] = {
        "table": table.to_dict(orient="list"),
        "params": {
            "key": key,
            "contrast_key": contrast_key,
            "layer": layer,
            "n_top_genes": n_top_genes,
            "n_comps": n_comps,
            "max_cells": max_cells,
            "random_state": random_state,
            "n_genes": len(genes),
            "hvgs": list(hvgs),
            "program_genes": [hvgs[column] for column in program_columns],
            "fit_on": "real" if reference is None else "reference",
            "fit_cells": list(fit_source.obs_names[fit_rows]),
            "compared_cells": list(real.obs_names[compared_rows]),
            "synthetic_cells": list(synthetic.obs_names[synthetic_rows]),
            "reference_cells": list(fit_source.obs_names[reference_rows]),
        },
    }
    return table
