"""Fidelity of synthetic cells: every metric against held-out real cells, next to a real-vs-real reference."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from anndata import AnnData

from scgan._utils import categorical, check_nonempty, check_obs_key, get_matrix, iter_row_chunks
from scgan.metrics import (
    cell_ks,
    classifier_auroc,
    de_agreement,
    gene_agreement,
    gene_program_agreement,
    label_faithfulness,
    marker_overlap,
    memorisation,
    mmd,
    non_integer_fraction,
    precision_recall_coverage,
)
from scgan.metrics._features import PCASpace, log1p_cp10k
from scgan.pp._split import split_indices
from scgan.tl._features import hvg_names

# metric name -> its ideal value, in the order of the table
IDEAL = {
    "auroc": 0.5,
    "mmd": 0.0,
    "mean_corr": 1.0,
    "var_corr": 1.0,
    "zero_frac_corr": 1.0,
    "zero_frac_mae": 0.0,
    "library_size_ks": 0.0,
    "zero_fraction_ks": 0.0,
    "label_f1": 1.0,
    "marker_jaccard": 1.0,
    "de_lfc_pearson": 1.0,
    "de_lfc_spearman": 1.0,
    "de_top_overlap": 1.0,
    "de_sign_agreement": 1.0,
    "precision": 1.0,
    "recall": 1.0,
    "density": 1.0,
    "coverage": 1.0,
    "program_corr": 1.0,
    "memorisation_ratio": 1.0,
    "memorisation_fraction": 0.0,
    "non_integer_fraction": 0.0,
}
DE_METRICS = ("de_lfc_pearson", "de_lfc_spearman", "de_top_overlap", "de_sign_agreement")
COLUMNS = ["metric", "label", "synthetic", "reference", "ideal", "n_real", "n_synthetic"]
OVERALL = "all"
N_MARKERS = 20
N_DE_GENES = 50
# gene-gene correlations of this many top highly variable genes: expressed enough for a correlation to be
# estimated from a few hundred cells, few enough for the matrix to stay small
N_PROGRAM_GENES = 100
# above this fraction of real genes missing from the synthetic cells, the comparison would be misleading
MAX_MISSING_GENES = 0.1


@dataclass
class _Cells:
    """Cells of one side of a comparison, in every representation the metrics need."""

    counts: object
    features: np.ndarray
    lognorm: np.ndarray
    labels: np.ndarray
    contrasts: np.ndarray | None = None  # the level of `contrast_key` of each cell

    def subset(self, mask: np.ndarray) -> _Cells:
        contrasts = None if self.contrasts is None else self.contrasts[mask]
        return _Cells(self.counts[mask], self.features[mask], self.lognorm[mask], self.labels[mask], contrasts)


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
        served as reference (``'reference_cells'``).
    """
    real_counts, synthetic_counts, reference_counts = _check_inputs(
        real, synthetic, reference, key=key, contrast_key=contrast_key, layer=layer
    )
    genes = _common_genes(real, synthetic, reference)
    real_labels = _labels(real, key, "real")
    synthetic_labels = _labels(synthetic, key, "synthetic")
    real_contrasts = synthetic_contrasts = fit_contrasts = None
    if contrast_key is not None:
        real_contrasts = _labels(real, contrast_key, "real")
        synthetic_contrasts = _labels(synthetic, contrast_key, "synthetic")
    unknown = sorted(set(synthetic_labels) - set(real_labels))
    if unknown:
        msg = (
            f"Synthetic labels {unknown} of column {key!r} do not occur in the real cells, so they cannot be "
            f"compared. Real labels: {sorted(set(real_labels))}."
        )
        raise ValueError(msg)

    if reference is None:
        fit_source, fit_source_counts, fit_labels, fit_contrasts = real, real_counts, real_labels, real_contrasts
        fit_rows, rest = _split_in_two(real_labels, second_fraction=2 / 3, random_state=random_state)
        compared_in_rest, reference_in_rest = _split_in_two(
            real_labels[rest], second_fraction=0.5, random_state=random_state
        )
        compared_rows, reference_pool = rest[compared_in_rest], rest[reference_in_rest]
    else:
        fit_source, fit_source_counts, fit_labels = reference, reference_counts, _labels(reference, key, "reference")
        if contrast_key is not None:
            fit_contrasts = _labels(reference, contrast_key, "reference")
        fit_rows, reference_pool = _split_in_two(fit_labels, second_fraction=0.5, random_state=random_state)
        compared_rows = np.arange(real.n_obs)
    reference_rows = _match_composition(
        reference_pool,
        _joint(fit_labels, fit_contrasts)[reference_pool],
        _joint(synthetic_labels, synthetic_contrasts),
        random_state=random_state,
    )

    fit_counts = _select(fit_source_counts, fit_rows, fit_source.var_names.get_indexer(genes))
    fit_cells = AnnData(X=fit_counts, var=pd.DataFrame(index=genes))
    hvgs = hvg_names(fit_cells, n_top_genes=n_top_genes)
    hvg_columns = pd.Index(genes).get_indexer(hvgs)
    space = PCASpace(n_comps, random_state=random_state).fit(fit_counts[:, hvg_columns])
    program_genes = set(hvg_names(fit_cells, n_top_genes=N_PROGRAM_GENES))
    program_columns = np.flatnonzero([gene in program_genes for gene in hvgs])

    def cells(counts, rows, var_names, labels, contrasts) -> _Cells:
        counts = _select(counts, rows, var_names.get_indexer(genes))
        return _Cells(
            counts,
            space.transform(counts[:, hvg_columns]),
            log1p_cp10k(counts[:, hvg_columns]),
            labels[rows],
            None if contrasts is None else contrasts[rows],
        )

    compared = cells(real_counts, compared_rows, real.var_names, real_labels, real_contrasts)
    synthetic_cells = cells(
        synthetic_counts, np.arange(synthetic.n_obs), synthetic.var_names, synthetic_labels, synthetic_contrasts
    )
    reference_cells = cells(fit_source_counts, reference_rows, fit_source.var_names, fit_labels, fit_contrasts)

    present = set(real_labels)
    label_order = [label for label in categorical(real.obs[key]).cat.categories.astype(str) if label in present]
    table = _table(
        compared,
        synthetic_cells,
        reference_cells,
        label_order,
        program_columns=program_columns,
        random_state=random_state,
    )
    contrasts = _contrasts(real, contrast_key, label_order)
    table = pd.concat([table, _de_table(compared, synthetic_cells, reference_cells, contrasts)])
    if reference is not None:
        columns = reference.var_names.get_indexer(hvgs)
        training_features = np.vstack(
            [space.transform(block[:, columns]) for _, block in iter_row_chunks(reference_counts)]
        )
        table = pd.concat(
            [
                table,
                _memorisation_table(
                    training_features, compared, synthetic_cells, label_order, random_state=random_state
                ),
            ]
        )
    table = _tidy(table)
    synthetic.uns["scgan_evaluation"] = {
        "table": table.to_dict(orient="list"),
        "params": {
            "key": key,
            "contrast_key": contrast_key,
            "layer": layer,
            "n_top_genes": n_top_genes,
            "n_comps": n_comps,
            "random_state": random_state,
            "n_genes": len(genes),
            "hvgs": list(hvgs),
            "program_genes": [hvgs[column] for column in program_columns],
            "fit_on": "real" if reference is None else "reference",
            "fit_cells": list(fit_source.obs_names[fit_rows]),
            "compared_cells": list(real.obs_names[compared_rows]),
            "reference_cells": list(fit_source.obs_names[reference_rows]),
        },
    }
    return table


def _check_inputs(
    real: AnnData,
    synthetic: AnnData,
    reference: AnnData | None,
    *,
    key: str,
    contrast_key: str | None,
    layer: str | None,
):
    """Validate the three objects and return their count matrices (reference's is None without it)."""
    for adata in (real, synthetic) if reference is None else (real, synthetic, reference):
        check_nonempty(adata)
        check_obs_key(adata, key)
        if contrast_key is not None:
            check_obs_key(adata, contrast_key)
    real_counts = get_matrix(real, layer)
    reference_counts = None if reference is None else get_matrix(reference, layer)
    if reference is not None and real.obs_names.isin(reference.obs_names).any():
        warnings.warn(
            f"{int(real.obs_names.isin(reference.obs_names).sum())} cells of `real` are also in `reference`; "
            "the reference should be other real cells (e.g. the training split), or real-vs-real looks too good.",
            UserWarning,
            stacklevel=3,
        )
    return real_counts, synthetic.X, reference_counts


def _labels(adata: AnnData, key: str, side: str) -> np.ndarray:
    """Labels of `key` as strings, refusing missing ones."""
    values = adata.obs[key]
    if values.isna().any():
        msg = f"Column {key!r} of the {side} cells has {int(values.isna().sum())} missing labels; fill or drop them."
        raise ValueError(msg)
    return values.astype(str).to_numpy()


def _common_genes(real: AnnData, synthetic: AnnData, reference: AnnData | None) -> list[str]:
    """Genes of `real` (in its order) that the other objects also have; refuse when many are missing."""
    genes = real.var_names
    others = {"synthetic": synthetic} if reference is None else {"synthetic": synthetic, "reference": reference}
    for side, other in others.items():
        missing = genes.difference(other.var_names)
        if len(missing) > MAX_MISSING_GENES * real.n_vars:
            msg = (
                f"The {side} cells lack {len(missing)} of the {real.n_vars} genes of the real cells "
                f"(e.g. {list(missing[:5])}). Compare the same genes, e.g. real[:, {side}.var_names] when the "
                f"{side} cells have only the genes the model was trained on."
            )
            raise ValueError(msg)
        if len(missing):
            warnings.warn(
                f"The {side} cells lack {len(missing)} of the {real.n_vars} genes of the real cells; "
                "evaluating on the genes they share.",
                UserWarning,
                stacklevel=3,
            )
    for other in others.values():
        genes = genes[genes.isin(other.var_names)]
    return list(genes)


def _joint(labels: np.ndarray, contrasts: np.ndarray | None) -> np.ndarray:
    """Labels, or label x contrast level as one string per cell."""
    if contrasts is None:
        return labels
    return np.char.add(np.char.add(labels.astype(str), "\x1f"), contrasts.astype(str))


def _split_in_two(labels: np.ndarray, *, second_fraction: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split of row indices; labels with a single cell go to the first part."""
    names, counts = np.unique(labels, return_counts=True)
    splittable = np.isin(labels, names[counts >= 2])
    rows = np.flatnonzero(splittable)
    try:
        first, second = split_indices(labels[rows], test_size=second_fraction, random_state=random_state)
    except ValueError as error:
        msg = (
            f"Too few real cells ({labels.size}, labels {dict(zip(names, counts, strict=True))}) to split them by "
            f"label for the evaluation; pass more real cells or a `reference`. ({error})"
        )
        raise ValueError(msg) from error
    first = np.sort(np.concatenate([rows[first], np.flatnonzero(~splittable)]))
    return first, rows[second]


def _match_composition(
    pool: np.ndarray, pool_labels: np.ndarray, synthetic_labels: np.ndarray, *, random_state: int
) -> np.ndarray:
    """Rows of `pool` with as many cells per label as the synthetic cells have, as far as the pool allows."""
    rng = np.random.default_rng(random_state)
    names, counts = np.unique(synthetic_labels, return_counts=True)
    chosen = []
    for name, count in zip(names, counts, strict=True):
        candidates = pool[pool_labels == name]
        chosen.append(rng.choice(candidates, min(count, candidates.size), replace=False))
    return np.sort(np.concatenate(chosen)).astype(np.intp)


def _select(counts, rows: np.ndarray, columns: np.ndarray):
    """Rows, then columns, of a count matrix (scipy sparse stays sparse)."""
    return counts[rows][:, columns]


def _compare(real: _Cells, other: _Cells, *, program_columns: np.ndarray, random_state: int) -> dict[str, float]:
    """Every per-label metric of `other` against `real`."""
    values = {
        "auroc": classifier_auroc(real.features, other.features, random_state=random_state),
        "mmd": mmd(real.features, other.features, random_state=random_state),
    }
    values |= gene_agreement(real.counts, other.counts)
    values |= cell_ks(real.counts, other.counts)
    values |= precision_recall_coverage(real.features, other.features, random_state=random_state)
    values["program_corr"] = gene_program_agreement(
        real.lognorm[:, program_columns], other.lognorm[:, program_columns], random_state=random_state
    )
    values["non_integer_fraction"] = non_integer_fraction(other.counts)
    return values


def _rows(results: dict) -> pd.DataFrame:
    """(metric, label) -> (synthetic, reference, n_real, n_synthetic) as a DataFrame."""
    rows = [(metric, label, *values) for (metric, label), values in results.items()]
    return pd.DataFrame(rows, columns=["metric", "label", "synthetic", "reference", "n_real", "n_synthetic"])


def _table(
    compared: _Cells,
    synthetic: _Cells,
    reference: _Cells,
    labels: list[str],
    *,
    program_columns: np.ndarray,
    random_state: int,
) -> pd.DataFrame:
    """Every metric that compares two sets of cells, overall and per label, synthetic and reference side by side."""
    results = {}  # (metric, label) -> (synthetic, reference, n_real, n_synthetic)
    groups = {OVERALL: None} | {label: label for label in labels}
    for group, label in groups.items():
        real_part = compared if label is None else compared.subset(compared.labels == label)
        synthetic_part = synthetic if label is None else synthetic.subset(synthetic.labels == label)
        reference_part = reference if label is None else reference.subset(reference.labels == label)
        options = {"program_columns": program_columns, "random_state": random_state}
        synthetic_values = _compare(real_part, synthetic_part, **options)
        reference_values = _compare(real_part, reference_part, **options)
        sizes = (real_part.labels.size, synthetic_part.labels.size)
        for metric, value in synthetic_values.items():
            results[metric, group] = (value, reference_values[metric], *sizes)

    sizes = (compared.labels.size, synthetic.labels.size)
    results["label_f1", OVERALL] = (
        label_faithfulness(
            compared.features, compared.labels, synthetic.features, synthetic.labels, random_state=random_state
        ),
        label_faithfulness(
            compared.features, compared.labels, reference.features, reference.labels, random_state=random_state
        ),
        *sizes,
    )
    synthetic_markers = marker_overlap(
        compared.lognorm, compared.labels, synthetic.lognorm, synthetic.labels, n_markers=N_MARKERS
    )
    reference_markers = marker_overlap(
        compared.lognorm, compared.labels, reference.lognorm, reference.labels, n_markers=N_MARKERS
    )
    results["marker_jaccard", OVERALL] = (
        _mean_of_finite([synthetic_markers.get(label, np.nan) for label in labels]),
        _mean_of_finite([reference_markers.get(label, np.nan) for label in labels]),
        *sizes,
    )
    for label in labels:
        results["marker_jaccard", label] = (
            synthetic_markers.get(label, np.nan),
            reference_markers.get(label, np.nan),
            int((compared.labels == label).sum()),
            int((synthetic.labels == label).sum()),
        )
    return _rows(results)


def _contrasts(real: AnnData, contrast_key: str | None, labels: list[str]) -> list[tuple[str, str, str | None]]:
    """The contrasts of differential expression as ``(label, group, base)``.

    Each level of `contrast_key` against its first level within each label; without a contrast column, each label
    against the other cells (`base` None).
    """
    if contrast_key is None:
        return [(label, label, None) for label in labels]
    present = set(real.obs[contrast_key].astype(str))
    levels = [level for level in categorical(real.obs[contrast_key]).cat.categories.astype(str) if level in present]
    return [(label, level, levels[0]) for label in labels for level in levels[1:]]


def _de_table(
    compared: _Cells, synthetic: _Cells, reference: _Cells, contrasts: list[tuple[str, str, str | None]]
) -> pd.DataFrame:
    """Differential expression recovery per contrast and its mean over contrasts (``"all"``).

    A contrast ``(label, group, base)`` compares level `group` with level `base` of the contrast column within
    the cells of `label`; with `base` None, it compares the cells of label `group` with all other cells.
    """
    # one contrast per label (e.g. stim vs ctrl): rows are named after the label alone
    one_per_label = len(contrasts) == len({label for label, _, _ in contrasts})
    per_contrast = {}  # row label -> (synthetic values, reference values, n_real, n_synthetic)
    for label, group, base in contrasts:
        sides = []
        for cells in (compared, synthetic, reference):
            if base is None:
                sides.append((cells.lognorm, cells.labels))
            else:
                in_label = cells.labels == label
                sides.append((cells.lognorm[in_label], cells.contrasts[in_label]))
        (real_lognorm, real_groups), *others = sides
        values = [
            de_agreement(
                real_lognorm, real_groups, lognorm, groups, group=group, reference=base or "rest", n_top=N_DE_GENES
            )
            for lognorm, groups in others
        ]
        row_label = label if base is None or one_per_label else f"{label}: {group} vs {base}"
        n_real = int((compared.labels == label).sum())
        n_synthetic = int((synthetic.labels == label).sum())
        per_contrast[row_label] = (*values, n_real, n_synthetic)
    results = {}
    for metric in DE_METRICS:
        results[metric, OVERALL] = (
            _mean_of_finite([values[0][metric] for values in per_contrast.values()]),
            _mean_of_finite([values[1][metric] for values in per_contrast.values()]),
            compared.labels.size,
            synthetic.labels.size,
        )
        for row_label, (synthetic_values, reference_values, n_real, n_synthetic) in per_contrast.items():
            results[metric, row_label] = (synthetic_values[metric], reference_values[metric], n_real, n_synthetic)
    return _rows(results)


def _memorisation_table(
    training_features: np.ndarray, compared: _Cells, synthetic: _Cells, labels: list[str], *, random_state: int
) -> pd.DataFrame:
    """Memorisation overall and per label; the reference compares one half of the compared cells with the other."""
    in_first = np.zeros(compared.labels.size, dtype=bool)
    in_second = np.zeros(compared.labels.size, dtype=bool)
    try:
        first, second = _split_in_two(compared.labels, second_fraction=0.5, random_state=random_state)
        in_first[first], in_second[second] = True, True
    except ValueError:  # too few compared cells to halve by label: no reference
        pass
    half_a, half_b = compared.subset(in_first), compared.subset(in_second)
    results = {}
    for group in [OVERALL, *labels]:
        parts = [
            cells if group == OVERALL else cells.subset(cells.labels == group)
            for cells in (compared, synthetic, half_a, half_b)
        ]
        real_part, synthetic_part, a_part, b_part = parts
        synthetic_values = memorisation(training_features, synthetic_part.features, real_part.features)
        reference_values = memorisation(training_features, a_part.features, b_part.features)
        for metric, value in synthetic_values.items():
            results[metric, group] = (
                value,
                reference_values[metric],
                real_part.labels.size,
                synthetic_part.labels.size,
            )
    return _rows(results)


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of `IDEAL` (labels in the order they were computed), the ideal values and the dtypes."""
    order = {metric: position for position, metric in enumerate(IDEAL)}
    table = table.assign(_order=table["metric"].map(order)).sort_values("_order", kind="stable")
    table = table.drop(columns="_order").reset_index(drop=True)
    table["ideal"] = table["metric"].map(IDEAL)
    table[["synthetic", "reference", "ideal"]] = table[["synthetic", "reference", "ideal"]].astype(np.float64)
    table[["n_real", "n_synthetic"]] = table[["n_real", "n_synthetic"]].astype(np.int64)
    return table[COLUMNS]


def _mean_of_finite(values: list[float]) -> float:
    """Mean of the values that are not NaN; NaN when none is."""
    finite = [value for value in values if np.isfinite(value)]
    return float(np.mean(finite)) if finite else float("nan")
