import json

import numpy as np
import pytest

from scgan import benchmark


def test_missing_data_file_exits_with_one_line(tmp_path):
    missing = tmp_path / "absent.h5ad"
    for check in (benchmark.check_data_file, benchmark.read_data):
        with pytest.raises(SystemExit) as exit_info:
            check(missing)
        message = str(exit_info.value.code)
        assert message.startswith(f"error: data file {missing} not found; pass --data PATH")
        assert "\n" not in message


def test_read_data_reads_the_file(simulated, tmp_path):
    simulated.write_h5ad(tmp_path / "cells.h5ad")
    assert benchmark.read_data(tmp_path / "cells.h5ad").shape == simulated.shape
    assert benchmark.check_data_file(str(tmp_path / "cells.h5ad")) == tmp_path / "cells.h5ad"


def test_parse_options_casts_values():
    options = benchmark.parse_options(
        ["count_head=nb", "n_critic=2", "lr=5e-4", "keep_best=False", "layer=None", "hidden=256,128", "a=b=c"]
    )
    assert options == {
        "count_head": "nb",
        "n_critic": 2,
        "lr": 5e-4,
        "keep_best": False,
        "layer": None,
        "hidden": [256, 128],
        "a": "b=c",
    }
    with pytest.raises(SystemExit, match="error: --set takes OPTION=VALUE pairs, got \\['nb'\\]"):
        benchmark.parse_options(["nb"])


def test_held_out_split_stratifies_and_chooses_genes_on_training_cells(simulated):
    import anndata as ad
    import pandas as pd
    import scipy.sparse as sp

    from scgan.pp._split import split_indices

    _, test_rows = split_indices(simulated.obs["cell_type"].astype(str).to_numpy(), test_size=0.3, random_state=0)
    planted = np.zeros((simulated.n_obs, 1), dtype=np.int64)
    planted[test_rows] = 500
    adata = ad.AnnData(
        X=sp.hstack([simulated.X, sp.csr_matrix(planted)]).tocsr(),
        obs=simulated.obs,
        var=pd.DataFrame(index=[*simulated.var_names, "planted"]),
    )
    train, test = benchmark.held_out_split(adata, key="cell_type", n_top_genes=50)
    assert set(train.obs_names).isdisjoint(test.obs_names)
    assert train.n_obs + test.n_obs == adata.n_obs
    assert train.n_vars == 50
    assert list(test.var_names) == list(train.var_names)
    assert "planted" not in train.var_names  # a gene only the held-out cells express is never chosen
    shares = test.obs["cell_type"].value_counts() / adata.obs["cell_type"].value_counts()
    assert np.allclose(shares, 0.3, atol=0.03)


def test_held_out_split_by_joint_condition_keeps_every_gene(simulated):
    train, test = benchmark.held_out_split(simulated, key=["cell_type", "condition"], n_top_genes=None)
    assert train.n_vars == test.n_vars == simulated.n_vars
    joint = simulated.obs[["cell_type", "condition"]].astype(str).agg("|".join, axis=1)
    shares = joint[test.obs_names].value_counts() / joint.value_counts()
    assert np.allclose(shares, 0.3, atol=0.05)


def test_write_json_takes_numpy_values(tmp_path):
    path = tmp_path / "deep" / "results.json"
    benchmark.write_json(
        path, {"auroc": np.float64(0.5), "n": np.int64(3), "per_label": {"B": np.float32(0.25)}, "x": np.arange(2)}
    )
    assert json.loads(path.read_text()) == {"auroc": 0.5, "n": 3, "per_label": {"B": 0.25}, "x": [0, 1]}
