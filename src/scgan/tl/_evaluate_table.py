"""Shape of the fidelity table: its metrics and their ideal values, rows side by side, overall and per label."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from scgan.tl._evaluate_cells import Cells

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
COLUMNS = ["metric", "label", "synthetic", "reference", "ideal", "n_real", "n_synthetic"]
OVERALL = "all"


def per_label(
    compared: Cells,
    synthetic: Cells,
    reference: Cells,
    labels: list[str],
    values: Callable[[Cells, Cells], dict[str, float]],
) -> pd.DataFrame:
    """Rows of `values(real, other)`, overall and per label: synthetic and reference cells against compared ones."""
    results = {}  # (metric, label) -> (synthetic, reference, n_real, n_synthetic)
    groups = {OVERALL: None} | {label: label for label in labels}
    for group, label in groups.items():
        real_part, synthetic_part, reference_part = (
            cells if label is None else cells.subset(cells.labels == label)
            for cells in (compared, synthetic, reference)
        )
        synthetic_values = values(real_part, synthetic_part)
        reference_values = values(real_part, reference_part)
        sizes = (real_part.labels.size, synthetic_part.labels.size)
        for metric, value in synthetic_values.items():
            results[metric, group] = (value, reference_values[metric], *sizes)
    return rows(results)


def rows(results: dict) -> pd.DataFrame:
    """(metric, label) -> (synthetic, reference, n_real, n_synthetic) as a DataFrame."""
    records = [(metric, label, *values) for (metric, label), values in results.items()]
    return pd.DataFrame(records, columns=["metric", "label", "synthetic", "reference", "n_real", "n_synthetic"])


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of `IDEAL` (labels in the order they were computed), the ideal values and the dtypes."""
    order = {metric: position for position, metric in enumerate(IDEAL)}
    table = table.assign(_order=table["metric"].map(order)).sort_values("_order", kind="stable")
    table = table.drop(columns="_order").reset_index(drop=True)
    table["ideal"] = table["metric"].map(IDEAL)
    table[["synthetic", "reference", "ideal"]] = table[["synthetic", "reference", "ideal"]].astype(np.float64)
    table[["n_real", "n_synthetic"]] = table[["n_real", "n_synthetic"]].astype(np.int64)
    return table[COLUMNS]


def mean_of_finite(values: list[float]) -> float:
    """Mean of the values that are not NaN; NaN when none is."""
    finite = [value for value in values if np.isfinite(value)]
    return float(np.mean(finite)) if finite else float("nan")
