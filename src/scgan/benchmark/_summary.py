"""Oversampling results summarised over seeds, paired against the best other arm, and made storable in h5ad."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scgan.metrics._oversampling import METRICS

GROUP_COLUMNS = ["n_rare", "method", "classifier", "features"]
COMPARISON_COLUMNS = [
    "n_rare",
    "classifier",
    "features",
    "method",
    "best_other",
    "rare_f1",
    "best_other_rare_f1",
    "mean_difference",
    "std_difference",
    "n_seeds_won",
    "n_seeds",
]


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample standard deviation over seeds of every score; see :func:`scgan.tl.summarize_oversampling`.

    Parameters
    ----------
    results
        The tidy results of :func:`oversampling`.

    Returns
    -------
    One row per n_rare x method x classifier x features.
    """
    scores = [*METRICS, "n_synthetic"]
    grouped = results.groupby(GROUP_COLUMNS, sort=False)[scores]
    summary = grouped.agg(["mean", "std"])
    summary.columns = [f"{score}_{stat}" for score, stat in summary.columns]
    summary["n_seeds"] = grouped.size()
    return summary.reset_index()


def compare(results: pd.DataFrame, method: str = "scgan") -> pd.DataFrame:
    """`method` paired seed by seed with the best other arm; see :func:`scgan.tl.compare_oversampling`.

    Parameters
    ----------
    results
        The tidy results of :func:`oversampling`.
    method
        The arm to compare.

    Returns
    -------
    One row per n_rare x classifier x features; empty when `method` is not in `results`.
    """
    if method not in set(results["method"]):
        return pd.DataFrame([], columns=COMPARISON_COLUMNS)
    rows = []
    for (n_kept, classifier, space), group in results.groupby(["n_rare", "classifier", "features"], sort=False):
        if (group["method"] != method).any():
            row = _paired_with_best_other(group, method)
            rows.append({"n_rare": n_kept, "classifier": classifier, "features": space, "method": method, **row})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def h5ad_record(results: pd.DataFrame) -> dict:
    """Results, summary, comparison of ``"scgan"`` and ``results.attrs['params']``, in forms h5ad can store."""
    return {
        "results": _for_h5ad(results),
        "summary": _for_h5ad(summarize(results)),
        "comparison": _for_h5ad(compare(results, method="scgan")),
        "params": _h5ad_value(results.attrs.get("params", {})),
    }


def _paired_with_best_other(group: pd.DataFrame, method: str) -> dict:
    """The best other arm by mean rare-class F1, and `method` minus it on the same seeds."""
    others = group[group["method"] != method]
    best_other = others.groupby("method", sort=False)["rare_f1"].mean().idxmax()
    paired = pd.merge(
        group.loc[group["method"] == method, ["seed", "rare_f1"]],
        group.loc[group["method"] == best_other, ["seed", "rare_f1"]],
        on="seed",
        suffixes=("", "_other"),
    )
    difference = paired["rare_f1"] - paired["rare_f1_other"]
    return {
        "best_other": best_other,
        "rare_f1": paired["rare_f1"].mean(),
        "best_other_rare_f1": paired["rare_f1_other"].mean(),
        "mean_difference": difference.mean(),
        "std_difference": difference.std(),
        "n_seeds_won": int((difference > 0).sum()),
        "n_seeds": len(paired),
    }


def _h5ad_value(value):
    """Parameters in a form h5ad can store: no None, lists for sequences, strings for anything else."""
    if isinstance(value, Mapping):
        return {str(name): _h5ad_value(item) for name, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_h5ad_value(item) for item in value]
    if isinstance(value, str | bool | int | float | np.integer | np.floating):
        return value
    return repr(value)


def _for_h5ad(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table.index = table.index.astype(str)
    table.attrs = {}
    return table
