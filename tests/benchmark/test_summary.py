import numpy as np
import pandas as pd
import pytest

from scgan import benchmark

SCORES = ["rare_f1", "rare_precision", "rare_recall", "macro_f1", "balanced_accuracy", "n_synthetic"]


@pytest.fixture
def results():
    """Three seeds of scgan, smote and random on one setting: scgan beats smote on seeds 0 and 2."""
    rows = []
    for seed, (gan, smote, random) in enumerate([(0.8, 0.7, 0.5), (0.6, 0.7, 0.5), (0.9, 0.7, 0.6)]):
        for method, f1 in (("scgan", gan), ("smote", smote), ("random", random)):
            setting = {"seed": seed, "n_rare": 10, "method": method, "classifier": "logreg", "features": "pca"}
            rows.append(setting | dict.fromkeys(SCORES, f1))
    table = pd.DataFrame(rows)
    table.attrs["params"] = {"rare": "DC", "layer": None, "n_rare": (10,), "model_kwargs": {"scgan": {"x": object}}}
    return table


def test_summarize_means_and_spreads_over_seeds(results):
    summary = benchmark.summarize(results)
    assert list(summary["method"]) == ["scgan", "smote", "random"]
    scgan = summary.iloc[0]
    assert scgan["rare_f1_mean"] == pytest.approx(2.3 / 3)
    assert scgan["rare_f1_std"] == pytest.approx(np.std([0.8, 0.6, 0.9], ddof=1))
    assert scgan["n_synthetic_mean"] == pytest.approx(2.3 / 3)
    assert set(summary["n_seeds"]) == {3}
    assert {f"{score}_{stat}" for score in SCORES for stat in ("mean", "std")} <= set(summary.columns)


def test_compare_pairs_seeds_with_the_best_other_arm(results):
    comparison = benchmark.compare(results)
    assert len(comparison) == 1
    row = comparison.iloc[0]
    assert row["best_other"] == "smote"
    assert row["rare_f1"] == pytest.approx(2.3 / 3)
    assert row["best_other_rare_f1"] == pytest.approx(0.7)
    assert row["mean_difference"] == pytest.approx(0.2 / 3)
    assert row["std_difference"] == pytest.approx(np.std([0.1, -0.1, 0.2], ddof=1))
    assert row["n_seeds_won"] == 2
    assert row["n_seeds"] == 3
    assert benchmark.compare(results, method="floor").empty
    assert list(benchmark.compare(results, method="floor").columns) == list(comparison.columns)
    only_scgan = benchmark.compare(results[results["method"] == "scgan"])
    assert only_scgan.empty


def test_h5ad_record_stores_tables_and_plain_params(results, tmp_path):
    import anndata as ad

    record = benchmark.h5ad_record(results)
    assert set(record) == {"results", "summary", "comparison", "params"}
    assert record["params"] == {"rare": "DC", "n_rare": [10], "model_kwargs": {"scgan": {"x": repr(object)}}}
    adata = ad.AnnData(np.zeros((1, 1)), uns={"scgan_oversampling": record})
    adata.write_h5ad(tmp_path / "record.h5ad")
    back = ad.read_h5ad(tmp_path / "record.h5ad").uns["scgan_oversampling"]
    pd.testing.assert_frame_equal(back["results"].reset_index(drop=True), results, check_dtype=False)
    assert back["comparison"]["best_other"].tolist() == ["smote"]
