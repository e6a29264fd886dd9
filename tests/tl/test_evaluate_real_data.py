"""The evaluation on real counts: two halves of the same real cells look alike, a broken copy does not."""

import numpy as np

import scgan


def test_real_halves_are_indistinguishable_and_shuffled_genes_are_not(kang):
    adata = kang.copy()
    scgan.pp.check_counts(adata)
    scgan.pp.split(adata, "cell_type", test_size=0.5, random_state=0)
    half_a = adata[adata.obs["scgan_split"] == "train"].copy()
    half_b = adata[adata.obs["scgan_split"] == "test"].copy()
    table = scgan.tl.evaluate(half_a, half_b, key="cell_type", n_top_genes=500)
    overall = table[table["label"] == "all"].set_index("metric")
    assert overall.loc["auroc", "synthetic"] < 0.65
    assert overall.loc["label_f1", "synthetic"] > 0.8
    shuffled = half_b.copy()
    shuffled.X = shuffled.X[:, np.random.default_rng(0).permutation(shuffled.n_vars)]
    broken = scgan.tl.evaluate(half_a, shuffled, key="cell_type", n_top_genes=500)
    broken = broken[broken["label"] == "all"].set_index("metric")
    assert broken.loc["auroc", "synthetic"] > 0.95
    assert broken.loc["label_f1", "synthetic"] < 0.5
