import pandas as pd

import scgan
from scgan.cli import main
from scgan.pp._split import split_indices


def test_evaluate_prints_and_writes_csv(tmp_path, capsys):
    adata = scgan.datasets.simulate(
        n_cells=300, n_genes=80, n_cell_types=2, rare_fraction=0.3, n_markers=10, n_response_genes=5, random_state=0
    )
    train, test = split_indices(adata.obs["cell_type"].to_numpy(), test_size=0.5, random_state=0)
    synthetic = adata[train].copy()
    synthetic.obs_names = "syn_" + synthetic.obs_names
    adata[test].copy().write_h5ad(tmp_path / "real.h5ad")
    synthetic.write_h5ad(tmp_path / "synthetic.h5ad")
    out = tmp_path / "fidelity.csv"
    argv = ["evaluate", str(tmp_path / "real.h5ad"), str(tmp_path / "synthetic.h5ad"), "--key", "cell_type"]
    assert main([*argv, "--n-comps", "10", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "auroc" in printed and "marker_jaccard" in printed and str(out) in printed
    table = pd.read_csv(out)
    assert list(table.columns) == ["metric", "label", "synthetic", "reference", "ideal", "n_real", "n_synthetic"]
    assert set(table["label"]) == {"all", "type_0", "rare"}
    assert main([*argv, "--max-cells", "0"]) == 2
    assert "scgan: error: max_cells must be a positive integer" in capsys.readouterr().err
