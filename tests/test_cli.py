import anndata as ad
import numpy as np
import pytest

from scgan.cli import main, parse_cell_counts


def test_demo_writes_the_report(tmp_path):
    """The README's main command, with a tiny schedule: every promised file is written."""
    main(["demo", "--out", str(tmp_path), "--max-epochs", "3", "--benchmark-epochs", "3", "--n-seeds", "1"])
    for name in (
        "report.html",
        "synthetic.h5ad",
        "fidelity.csv",
        "oversampling.csv",
        "history.png",
        "embedding.png",
        "marginals.png",
        "evaluation.png",
        "oversampling.png",
        "model/model.safetensors",
    ):
        assert (tmp_path / name).exists(), name
    report = (tmp_path / "report.html").read_text()
    assert report.count("<img") == 5 and "AUROC" in report
    synthetic = ad.read_h5ad(tmp_path / "synthetic.h5ad")
    assert synthetic.X.dtype == np.int32 and "scgan_evaluation" in synthetic.uns


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


@pytest.mark.parametrize(("flag", "early_stopping"), [([], False), (["--early-stopping"], True)])
def test_train_early_stopping_flag(simulated, tmp_path, monkeypatch, flag, early_stopping):
    import scgan

    seen = {}

    def fake_train(adata, **kwargs):
        seen.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr(scgan.tl, "train", fake_train)
    simulated.write_h5ad(tmp_path / "data.h5ad")
    with pytest.raises(SystemExit):
        main(["train", str(tmp_path / "data.h5ad"), "--condition", "cell_type", "--out", str(tmp_path / "m"), *flag])
    assert seen["early_stopping"] is early_stopping


def test_parse_cell_counts():
    assert parse_cell_counts(["500"]) == 500
    assert parse_cell_counts(["B cells=100", "NK=5"]) == {"B cells": 100, "NK": 5}
    with pytest.raises(SystemExit):
        parse_cell_counts(["B", "NK=5"])
