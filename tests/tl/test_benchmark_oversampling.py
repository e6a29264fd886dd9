"""The public entry points; the harness, arms and scoring are tested in tests/benchmark/."""

import inspect

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import scgan
from scgan import benchmark
from scgan.pp._split import split_indices

COLUMNS = [
    "seed",
    "n_rare",
    "method",
    "classifier",
    "features",
    "rare_f1",
    "rare_precision",
    "rare_recall",
    "macro_f1",
    "balanced_accuracy",
    "n_synthetic",
]
FAST = {"n_seeds": 1, "n_top_genes": 60, "progress": False}


def _median_target(adata, seed, n_rare):
    train, _ = split_indices(adata.obs["cell_type"].to_numpy(), test_size=0.3, random_state=seed)
    sizes = adata.obs.iloc[train]["cell_type"].value_counts().to_dict()
    sizes["rare"] = n_rare
    return round(float(np.median(list(sizes.values()))))


def test_tidy_results_summary_and_uns(simulated, tmp_path):
    methods = ("none", "class_weight", "random", "smote", "floor")
    results = scgan.tl.benchmark_oversampling(
        simulated, key="cell_type", rare="rare", n_rare=(5, 10), methods=methods, **FAST
    )
    assert list(results.columns) == COLUMNS
    assert len(results) == 2 * len(methods) * 2 * 2
    assert set(results["method"]) == set(methods)
    assert set(results["classifier"]) == {"logreg", "random_forest"}
    assert set(results["features"]) == {"pca", "hvg"}
    scores = results[COLUMNS[5:10]].to_numpy()
    assert np.all((scores >= 0) & (scores <= 1))

    # every augmentation arm brings the rare class to exactly the median training class size
    for n_rare, group in results.groupby("n_rare"):
        added = group.set_index("method")["n_synthetic"]
        assert set(added[["none", "class_weight"]]) == {0}
        assert set(added[["random", "smote", "floor"]]) == {_median_target(simulated, 0, n_rare) - n_rare}

    summary = scgan.tl.summarize_oversampling(results)
    assert len(summary) == 2 * len(methods) * 2 * 2
    assert {"rare_f1_mean", "rare_f1_std", "macro_f1_mean", "n_synthetic_mean", "n_seeds"} <= set(summary.columns)
    assert set(summary["n_seeds"]) == {1}

    stored = simulated.uns["scgan_oversampling"]
    assert set(stored) == {"results", "summary", "comparison", "params"}
    assert stored["comparison"].empty  # no scgan arm
    assert stored["params"]["rare"] == "rare"
    assert stored["params"]["n_rare"] == [5, 10]
    assert "layer" not in stored["params"]  # None cannot be stored in h5ad
    simulated.write_h5ad(tmp_path / "bench.h5ad")
    back = ad.read_h5ad(tmp_path / "bench.h5ad").uns["scgan_oversampling"]
    pd.testing.assert_frame_equal(
        back["results"].reset_index(drop=True), results, check_dtype=False, check_categorical=False
    )
    assert list(back["params"]["methods"]) == list(methods)


def test_entry_points_are_the_benchmark_machinery(simulated):
    results = scgan.tl.benchmark_oversampling(
        simulated, key="cell_type", rare="rare", n_rare=6, methods=("none", "smote"), classifiers=("logreg",), **FAST
    )
    same = benchmark.oversampling(
        simulated,
        **{
            name: p.default
            for name, p in inspect.signature(scgan.tl.benchmark_oversampling).parameters.items()
            if p.default is not p.empty
        }
        | {"key": "cell_type", "rare": "rare", "n_rare": 6, "methods": ("none", "smote"), "classifiers": ("logreg",)}
        | FAST,
    )
    pd.testing.assert_frame_equal(results, same)
    pd.testing.assert_frame_equal(scgan.tl.summarize_oversampling(results), benchmark.summarize(results))
    with pytest.raises(ValueError, match="Unknown method"):
        scgan.tl.benchmark_oversampling(simulated, key="cell_type", rare="rare", methods=("gan",), **FAST)


def test_compare_oversampling_pairs_seeds_with_the_best_other_arm():
    rows = []
    for seed, (gan, smote, random) in enumerate([(0.8, 0.7, 0.5), (0.6, 0.7, 0.5), (0.9, 0.7, 0.6)]):
        for method, f1 in (("scgan", gan), ("smote", smote), ("random", random)):
            rows.append(
                {"seed": seed, "n_rare": 10, "method": method, "classifier": "logreg", "features": "pca", "rare_f1": f1}
            )
    results = pd.DataFrame(rows)
    comparison = scgan.tl.compare_oversampling(results)
    assert len(comparison) == 1
    row = comparison.iloc[0]
    assert row["best_other"] == "smote"
    assert row["rare_f1"] == pytest.approx(2.3 / 3)
    assert row["mean_difference"] == pytest.approx(0.2 / 3)
    assert row["std_difference"] == pytest.approx(np.std([0.1, -0.1, 0.2], ddof=1))
    assert row["n_seeds_won"] == 2
    assert row["n_seeds"] == 3
    assert scgan.tl.compare_oversampling(results, method="floor").empty
