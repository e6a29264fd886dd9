"""Fidelity kernels: how close synthetic cells are to real ones, as plain numbers from arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.stats import ks_2samp
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import StratifiedKFold

from scgan._utils import block_values


def classifier_auroc(
    real,
    synthetic,
    *,
    n_folds: int = 5,
    n_estimators: int = 100,
    random_state: int = 0,
) -> float:
    """Classifier two-sample test: out-of-fold AUROC of a random forest telling real from synthetic cells.

    The larger side is subsampled to the size of the smaller one, so 0.5 means indistinguishable and 1.0
    means perfectly separable.

    Parameters
    ----------
    real, synthetic
        Cells x features (e.g. PCA coordinates), the same features on both sides.
    n_folds
        Stratified cross-validation folds, capped by the size of the smaller side.
    n_estimators
        Trees of the random forest.
    random_state
        Seed of the subsampling, the folds and the forest.

    Returns
    -------
    Mean AUROC over the folds; NaN when a side has fewer than 2 cells.
    """
    real, synthetic = np.asarray(real, dtype=np.float64), np.asarray(synthetic, dtype=np.float64)
    n_per_side = min(real.shape[0], synthetic.shape[0])
    if n_per_side < 2:
        return float("nan")
    rng = np.random.default_rng(random_state)
    real = real[np.sort(rng.choice(real.shape[0], n_per_side, replace=False))]
    synthetic = synthetic[np.sort(rng.choice(synthetic.shape[0], n_per_side, replace=False))]
    features = np.vstack([real, synthetic])
    is_synthetic = np.repeat([0, 1], n_per_side)
    folds = StratifiedKFold(n_splits=min(n_folds, n_per_side), shuffle=True, random_state=random_state)
    scores = []
    for train, test in folds.split(features, is_synthetic):
        forest = RandomForestClassifier(n_estimators=n_estimators, random_state=random_state, n_jobs=1)
        forest.fit(features[train], is_synthetic[train])
        scores.append(roc_auc_score(is_synthetic[test], forest.predict_proba(features[test])[:, 1]))
    return float(np.mean(scores))


def mmd(
    x,
    y,
    *,
    scales: Sequence[float] = (0.5, 1, 2),
    random_state: int = 0,
    max_cells: int = 2000,
    biased: bool = False,
) -> float:
    """Squared maximum mean discrepancy with a sum of Gaussian kernels (unbiased by default).

    The kernel bandwidths are `scales` times the median non-zero pairwise distance of the pooled cells, so the value
    does not depend on the units of the features.

    Parameters
    ----------
    x, y
        Cells x features, the same features on both sides.
    scales
        Multiples of the median distance used as kernel bandwidths; the kernels are summed.
    random_state
        Seed of the subsampling.
    max_cells
        Each side is subsampled to at most this many cells (the cost is quadratic).
    biased
        Keep each cell's kernel with itself in the within-sample means (the V-statistic). It is never below 0 and
        grows as a sample's cells spread apart; the training's validation score uses it to choose the kept
        generator (docs: design decisions).

    Returns
    -------
    MMD² (unbiased); 0 for samples of the same distribution (it can be slightly negative), NaN when a side has fewer
    than 2 cells.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape[0] < 2 or y.shape[0] < 2:
        return float("nan")
    rng = np.random.default_rng(random_state)
    if x.shape[0] > max_cells:
        x = x[rng.choice(x.shape[0], max_cells, replace=False)]
    if y.shape[0] > max_cells:
        y = y[rng.choice(y.shape[0], max_cells, replace=False)]
    pooled = np.vstack([x, y])
    squared = np.maximum(euclidean_distances(pooled, squared=True), 0.0)
    pairs = squared[np.triu_indices_from(squared, k=1)]
    if not pairs.any():
        # every cell is at the same place: only an exact match of the two samples is possible
        return 0.0
    # the median of the distances that are not zero, so that many identical cells do not shrink the bandwidth
    median = float(np.sqrt(np.median(pairs[pairs > 0])))
    kernel = sum(np.exp(-squared / (2.0 * (scale * median) ** 2)) for scale in scales)
    n_x, n_y = x.shape[0], y.shape[0]
    k_xx, k_yy, k_xy = kernel[:n_x, :n_x], kernel[n_x:, n_x:], kernel[:n_x, n_x:]
    if biased:
        return float(k_xx.mean() + k_yy.mean() - 2.0 * k_xy.mean())
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n_x * (n_x - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n_y * (n_y - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def _gene_stats(counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-gene mean, variance and zero fraction, computed from the stored values of sparse input."""
    n_cells, n_genes = counts.shape
    if sp.issparse(counts):
        counts = sp.csr_matrix(counts)
        values = counts.data.astype(np.float64)
        total = np.bincount(counts.indices, weights=values, minlength=n_genes)
        total_squared = np.bincount(counts.indices, weights=values**2, minlength=n_genes)
        nonzero = np.bincount(counts.indices[values != 0], minlength=n_genes)
    else:
        counts = np.asarray(counts, dtype=np.float64)
        total, total_squared, nonzero = counts.sum(0), (counts**2).sum(0), (counts != 0).sum(0)
    mean = total / n_cells
    variance = np.maximum(total_squared / n_cells - mean**2, 0.0)
    return mean, variance, 1.0 - nonzero / n_cells


def _cell_stats(counts) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell library size and zero fraction, computed from the stored values of sparse input."""
    n_cells, n_genes = counts.shape
    if sp.issparse(counts):
        counts = sp.csr_matrix(counts)
        rows = np.repeat(np.arange(n_cells), np.diff(counts.indptr))
        values = counts.data.astype(np.float64)
        library_size = np.bincount(rows, weights=values, minlength=n_cells)
        nonzero = np.bincount(rows[values != 0], minlength=n_cells)
    else:
        counts = np.asarray(counts, dtype=np.float64)
        library_size, nonzero = counts.sum(1), (counts != 0).sum(1)
    return library_size, 1.0 - nonzero / n_genes


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; NaN when either vector is constant (scipy would warn)."""
    a, b = a - a.mean(), b - b.mean()
    scale = np.sqrt((a**2).sum() * (b**2).sum())
    return float((a * b).sum() / scale) if scale > 0 else float("nan")


def gene_agreement(real_counts, syn_counts) -> dict[str, float]:
    """Agreement of per-gene mean, variance and zero fraction between real and synthetic counts.

    Parameters
    ----------
    real_counts, syn_counts
        Cells x genes counts (dense or scipy sparse, never densified), the same genes in the same order.

    Returns
    -------
    ``mean_corr`` and ``var_corr``, Pearson correlations across genes of log1p(mean) and log1p(variance);
    ``zero_frac_corr``, the Pearson correlation of the zero fractions; ``zero_frac_mae``, their mean absolute
    difference. NaN when a side has no cells (and for a correlation when a side is constant across genes).
    """
    keys = ("mean_corr", "var_corr", "zero_frac_corr", "zero_frac_mae")
    if real_counts.shape[1] != syn_counts.shape[1]:
        msg = f"real and synthetic counts have {real_counts.shape[1]} and {syn_counts.shape[1]} genes; pass the same genes."
        raise ValueError(msg)
    if real_counts.shape[0] == 0 or syn_counts.shape[0] == 0:
        return dict.fromkeys(keys, float("nan"))
    real_mean, real_var, real_zero = _gene_stats(real_counts)
    syn_mean, syn_var, syn_zero = _gene_stats(syn_counts)
    return {
        "mean_corr": _pearson(np.log1p(real_mean), np.log1p(syn_mean)),
        "var_corr": _pearson(np.log1p(real_var), np.log1p(syn_var)),
        "zero_frac_corr": _pearson(real_zero, syn_zero),
        "zero_frac_mae": float(np.abs(real_zero - syn_zero).mean()),
    }


def cell_ks(real_counts, syn_counts) -> dict[str, float]:
    """Kolmogorov-Smirnov statistics of per-cell library size and zero fraction, real vs synthetic.

    Parameters
    ----------
    real_counts, syn_counts
        Cells x genes counts (dense or scipy sparse, never densified), the same genes on both sides.

    Returns
    -------
    ``library_size_ks`` and ``zero_fraction_ks``: the two-sample KS statistic (0 = same distribution, 1 =
    disjoint); NaN when a side has no cells.
    """
    if real_counts.shape[0] == 0 or syn_counts.shape[0] == 0:
        return {"library_size_ks": float("nan"), "zero_fraction_ks": float("nan")}
    real_library, real_zero = _cell_stats(real_counts)
    syn_library, syn_zero = _cell_stats(syn_counts)
    return {
        "library_size_ks": float(ks_2samp(real_library, syn_library).statistic),
        "zero_fraction_ks": float(ks_2samp(real_zero, syn_zero).statistic),
    }


def label_faithfulness(
    real_features,
    real_labels,
    syn_features,
    syn_labels,
    *,
    random_state: int = 0,
) -> float:
    """Whether synthetic cells look like the label they were generated for.

    A random forest trained on real cells predicts the label of each synthetic cell; the score is the
    macro-F1 of those predictions against the requested labels.

    Parameters
    ----------
    real_features, real_labels
        Real cells x features (e.g. PCA coordinates) and their labels.
    syn_features, syn_labels
        Synthetic cells x the same features and the labels they were generated for.
    random_state
        Seed of the forest.

    Returns
    -------
    Macro-F1 over the labels present in `syn_labels` (1 = every cell recognised as its label); NaN when
    either side has no cells.
    """
    real_labels, syn_labels = np.asarray(real_labels).astype(str), np.asarray(syn_labels).astype(str)
    if real_labels.size == 0 or syn_labels.size == 0:
        return float("nan")
    forest = RandomForestClassifier(n_estimators=100, class_weight="balanced", random_state=random_state, n_jobs=1)
    forest.fit(np.asarray(real_features, dtype=np.float64), real_labels)
    predicted = forest.predict(np.asarray(syn_features, dtype=np.float64))
    return float(f1_score(syn_labels, predicted, labels=np.unique(syn_labels), average="macro", zero_division=0))


def _mean_difference(lognorm, in_label: np.ndarray) -> np.ndarray:
    """Mean expression of the cells of a label minus that of the other cells, per gene."""
    inside = np.asarray(lognorm[in_label].mean(axis=0)).ravel()
    outside = np.asarray(lognorm[~in_label].mean(axis=0)).ravel()
    return inside - outside


def marker_overlap(
    real_lognorm,
    real_labels,
    syn_lognorm,
    syn_labels,
    *,
    n_markers: int = 20,
) -> dict[str, float]:
    """Overlap of the top marker genes of each label in real and in synthetic cells.

    Markers of a label are the genes with the largest difference of mean log expression between the cells
    of the label and the other cells, found separately in real and in synthetic cells.

    Parameters
    ----------
    real_lognorm, real_labels
        Real cells x genes log-normalised expression (dense or scipy sparse) and their labels.
    syn_lognorm, syn_labels
        Synthetic cells x the same genes, and their labels.
    n_markers
        Size of each marker set.

    Returns
    -------
    Jaccard index of the real and synthetic marker sets per label (of either side); NaN for a label missing
    on a side or making up all cells of a side (no other cells to compare with).
    """
    if real_lognorm.shape[1] != syn_lognorm.shape[1]:
        msg = f"real and synthetic expression have {real_lognorm.shape[1]} and {syn_lognorm.shape[1]} genes; pass the same genes."
        raise ValueError(msg)
    real_labels, syn_labels = np.asarray(real_labels).astype(str), np.asarray(syn_labels).astype(str)
    n_markers = min(n_markers, real_lognorm.shape[1])
    overlap = {}
    for label in sorted(set(real_labels.tolist()) | set(syn_labels.tolist())):
        in_real, in_syn = real_labels == label, syn_labels == label
        if not (0 < in_real.sum() < in_real.size and 0 < in_syn.sum() < in_syn.size):
            overlap[label] = float("nan")
            continue
        real_top = set(np.argsort(-_mean_difference(real_lognorm, in_real), kind="stable")[:n_markers])
        syn_top = set(np.argsort(-_mean_difference(syn_lognorm, in_syn), kind="stable")[:n_markers])
        overlap[label] = len(real_top & syn_top) / len(real_top | syn_top)
    return overlap


def non_integer_fraction(counts) -> float:
    """Fraction of stored values that are not valid counts: non-integer, negative, NaN or infinite.

    Parameters
    ----------
    counts
        Cells x genes (dense or scipy sparse; for sparse input only the stored values are checked).

    Returns
    -------
    The fraction in [0, 1]; NaN when nothing is stored.
    """
    values = block_values(counts)
    if values.size == 0:
        return float("nan")
    if np.issubdtype(values.dtype, np.integer):
        return float((values < 0).mean())
    values = values.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        invalid = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    return float(invalid.mean())
