import anndata as ad
import numpy as np
import pytest

from scgan.cli import main, parse_cell_counts


def test_demo_writes_prepared_data(tmp_path):
    assert main(["demo", "--out", str(tmp_path), "--n-top-genes", "200"]) == 0
    adata = ad.read_h5ad(tmp_path / "real_prepared.h5ad")
    assert adata.n_vars == 200 and "scgan_split" in adata.obs


def test_train_then_generate(simulated, tmp_path):
    simulated.write_h5ad(tmp_path / "data.h5ad")
    model_dir = tmp_path / "model"
    main(
        [
            "train",
            str(tmp_path / "data.h5ad"),
            "--condition",
            "cell_type",
            "--condition",
            "condition",
            "--out",
            str(model_dir),
            "--max-epochs",
            "2",
        ]
    )
    assert (model_dir / "model.safetensors").exists()
    main(["generate", str(model_dir), "--n", "rare,stim=7", "type_0,ctrl=3", "--out", str(tmp_path / "syn.h5ad")])
    syn = ad.read_h5ad(tmp_path / "syn.h5ad")
    assert syn.n_obs == 10 and (syn.obs["cell_type"] == "rare").sum() == 7
    assert syn.X.dtype == np.int32


def test_parse_cell_counts():
    assert parse_cell_counts(["500"]) == 500
    assert parse_cell_counts(["B cells=100", "NK=5"]) == {"B cells": 100, "NK": 5}
    with pytest.raises(SystemExit):
        parse_cell_counts(["B", "NK=5"])
