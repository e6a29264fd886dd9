"""Inputs of the plots, built without training a GAN; every figure is closed after its test."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import anndata as ad
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import scgan
from scgan.tl._evaluate_table import IDEAL

LABELS = ["type_0", "type_1", "rare"]
METHODS = ["none", "class_weight", "random", "smote", "floor", "scvi", "scgan"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def _cells():
    cells = scgan.datasets.simulate(
        n_cells=500, n_genes=100, n_cell_types=3, rare_fraction=0.1, n_markers=10, n_response_genes=10, random_state=0
    )
    real, synthetic = cells[:300].copy(), cells[300:].copy()
    real.layers["counts"] = real.X.copy()
    synthetic.obs["scgan_synthetic"] = True
    synthetic.obs_names = [f"synthetic_{i}" for i in range(synthetic.n_obs)]
    return real, synthetic


@pytest.fixture
def cells(_cells):
    """Real cells (counts in .X and layers['counts']) and 'synthetic' cells of the same population, fresh copies."""
    real, synthetic = _cells
    return real.copy(), synthetic.copy()


@pytest.fixture
def training_history():
    """A model-like object: scvi-tools style history of object-dtype DataFrames indexed by epoch, best epoch 3."""
    rng = np.random.default_rng(0)
    epochs = pd.Index(range(8), name="epoch")

    def frame(key, values):
        return pd.DataFrame({key: pd.Series(list(values), index=epochs, dtype=object)})

    history = {
        "critic_loss": frame("critic_loss", -np.linspace(2, 0.5, 8) + rng.normal(0, 0.05, 8)),
        "generator_loss": frame("generator_loss", np.linspace(1, 0.2, 8)),
        "wasserstein": frame("wasserstein", np.linspace(2.2, 0.6, 8)),
        "gradient_penalty": frame("gradient_penalty", np.linspace(0.3, 0.05, 8)),
        "validation_mmd": frame("validation_mmd", [0.4, 0.1, 0.05, 0.02, 0.03, 0.025, 0.04, 0.03]),
    }
    return history


@pytest.fixture
def evaluation_table():
    """The tidy table of scgan.tl.evaluate: every metric overall, AUROC, marker Jaccard and recall per label."""
    rng = np.random.default_rng(0)
    rows = []
    for metric, ideal in IDEAL.items():
        labels = ["all", *LABELS] if metric in {"auroc", "marker_jaccard", "recall"} else ["all"]
        for label in labels:
            synthetic = ideal + (0.3 if ideal < 1 else -0.3) * rng.uniform(0.2, 1)
            reference = np.nan if metric == "label_f1" else ideal + (0.05 if ideal < 1 else -0.05)
            rows.append([metric, label, synthetic, reference, ideal, 100, 200])
    return pd.DataFrame(rows, columns=["metric", "label", "synthetic", "reference", "ideal", "n_real", "n_synthetic"])


@pytest.fixture
def walk():
    """Cells shaped like scgan.tl.interpolate's: 3 steps x 4 cells, gene g0 rising along the walk, 100 counts each."""
    counts = np.zeros((12, 3), dtype=np.int32)
    counts[:, 0] = np.repeat([0, 10, 40], 4)
    counts[:, 1] = 100 - counts[:, 0]
    steps = np.repeat([0, 1, 2], 4)
    obs = pd.DataFrame(
        {"scgan_step": steps, "scgan_position": steps / 2, "scgan_cell": np.tile(range(4), 3)},
        index=[f"walk_{i}" for i in range(12)],
    )
    params = {
        "start": ["B", "ctrl"],
        "end": ["B", "stim"],
        "mode": "condition",
        "condition_keys": ["cell_type", "condition"],
    }
    return ad.AnnData(
        X=sp.csr_matrix(counts),
        obs=obs,
        var=pd.DataFrame(index=["g0", "g1", "g2"]),
        uns={"scgan_interpolation": params},
    )


@pytest.fixture
def oversampling_table():
    """The tidy results of scgan.tl.benchmark_oversampling: 3 seeds x 2 n_rare x 7 methods x 2 x 2."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(3):
        for n_rare in (10, 20):
            for method in METHODS:
                for classifier in ("logreg", "random_forest"):
                    for features in ("pca", "hvg"):
                        scores = np.clip(rng.normal(0.5 + 0.05 * METHODS.index(method), 0.05, 5), 0, 1)
                        n_synthetic = 0 if method in {"none", "class_weight"} else 90 - n_rare
                        rows.append([seed, n_rare, method, classifier, features, *scores, n_synthetic])
    columns = ["seed", "n_rare", "method", "classifier", "features", "rare_f1", "rare_precision", "rare_recall"]
    return pd.DataFrame(rows, columns=[*columns, "macro_f1", "balanced_accuracy", "n_synthetic"])
