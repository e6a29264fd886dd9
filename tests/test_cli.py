import anndata as ad

from scgan.cli import main


def test_demo_writes_prepared_data(tmp_path):
    assert main(["demo", "--out", str(tmp_path), "--n-top-genes", "200"]) == 0
    adata = ad.read_h5ad(tmp_path / "real_prepared.h5ad")
    assert adata.n_vars == 200 and "scgan_split" in adata.obs
