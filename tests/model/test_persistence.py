"""Saving and loading: clear errors for foreign or corrupted folders, and the caller's AnnData left alone."""

import json

import pandas as pd
import pytest

from scgan.model import SCGAN

SMALL = {"n_latent": 16, "generator_hidden": [32], "critic_hidden": [32]}


@pytest.fixture
def saved(simulated, tmp_path):
    SCGAN.setup_anndata(simulated, condition_keys=["cell_type", "condition"])
    model = SCGAN(simulated, **SMALL)
    model.train(max_steps=2, enable_progress_bar=False, batch_size=64)
    model.save(tmp_path / "model")
    return tmp_path / "model"


def test_corrupted_weights_are_named(saved):
    (saved / "model.safetensors").write_bytes(b"\xff" * 64)
    with pytest.raises(ValueError, match=r"model\.safetensors cannot be read as safetensors weights.*corrupted"):
        SCGAN.load(saved)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("{not json", r"settings\.json is not valid JSON"),
        (
            json.dumps({"format_version": 99}),
            r"settings\.json is not an scgan model file of format 1 \(found format 99\)",
        ),
        (json.dumps(["a", "list"]), r"settings\.json is not an scgan model file of format 1 \(found format None\)"),
    ],
)
def test_foreign_or_corrupted_settings_are_named(saved, settings, message):
    (saved / "settings.json").write_text(settings)
    with pytest.raises(ValueError, match=message):
        SCGAN.load(saved)


def test_missing_files_are_named(saved, tmp_path):
    (saved / "model.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match=r"model\.safetensors is missing"):
        SCGAN.load(saved)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        SCGAN.load(tmp_path / "nowhere")


def test_loading_with_data_leaves_the_data_unchanged(saved, simulated):
    adata = simulated.copy()
    adata.obs["cell_type"] = adata.obs["cell_type"].astype(str)  # plain strings, not the model's categoricals
    obs, uns_keys, obsm_keys = adata.obs.copy(), set(adata.uns), set(adata.obsm)
    model = SCGAN.load(saved, adata=adata)
    pd.testing.assert_frame_equal(adata.obs, obs)
    assert set(adata.uns) == uns_keys and set(adata.obsm) == obsm_keys
    assert model.adata is not adata and model.adata.X is adata.X  # attached to a new object sharing the counts
    assert list(model.adata.obs["cell_type"].cat.categories) == model.categories["cell_type"]
