"""The scripts in benchmarks/: public API only, no imports of each other, one clear line on missing data."""

import ast
import runpy
import sys
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "benchmarks").glob("*.py"))
READING_DATA = [script for script in SCRIPTS if "--data" in script.read_text()]


def _imported_modules(script: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules += [f"{node.module}.{alias.name}" if node.module else alias.name for alias in node.names]
    return modules


# the scale benchmark times scvi-tools' SCVI on the very file it is given, backed files included, which the
# baseline (a copy of the counts in memory) cannot do
MEASURES_SCVI_ITSELF = {"scale"}


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_scripts_use_the_public_api_only(script):
    siblings = {other.stem for other in SCRIPTS}
    for module in _imported_modules(script):
        parts = module.split(".")
        assert parts[0] not in siblings, f"{script.name} imports the script {module}"
        if script.stem not in MEASURES_SCVI_ITSELF:
            assert parts[0] != "scvi", f"{script.name} imports scvi-tools; use scgan.benchmark's scVI baseline"
        if parts[0] == "scgan":
            assert not any(part.startswith("_") for part in parts), f"{script.name} imports private {module}"
    assert "labels_key" not in script.read_text()


@pytest.mark.parametrize("script", READING_DATA, ids=[script.stem for script in READING_DATA])
def test_missing_data_file_is_one_line(script, tmp_path, monkeypatch):
    missing = tmp_path / "absent.h5ad"
    monkeypatch.setattr(sys, "argv", [str(script), "--data", str(missing), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(script), run_name="__main__")
    assert str(exit_info.value.code).startswith(f"error: data file {missing} not found;")
    assert "\n" not in str(exit_info.value.code)


def test_every_script_reading_data_is_checked():
    assert {script.stem for script in READING_DATA} >= {
        "fidelity",
        "fidelity_pbmc3k",
        "joint_condition_kang",
        "oversampling",
        "speed",
    }


def _functions_of(name: str) -> dict:
    return runpy.run_path(str(next(script for script in SCRIPTS if script.stem == name)))


def test_fidelity_noisy_copies_redraw_training_cells_of_each_wanted_condition():
    import numpy as np

    import scgan

    noisy_copies = _functions_of("fidelity")["noisy_copies"]
    train = scgan.datasets.simulate(
        n_cells=400, n_genes=50, n_cell_types=2, rare_fraction=0.2, n_markers=10, n_response_genes=5, random_state=0
    )
    keys = ["cell_type", "condition"]
    wanted = train.obs[keys].iloc[::-1].reset_index(drop=True)
    copies = noisy_copies(train, keys, wanted, random_state=0)
    assert copies.n_obs == len(wanted) and copies.obs_names.is_unique
    assert (copies.obs[keys].to_numpy() == wanted.to_numpy()).all()
    counts = copies.X.toarray()
    assert np.array_equal(counts, np.round(counts)) and (counts >= 0).all()
    for cell_type in wanted["cell_type"].unique():
        real_mean = train.X[(train.obs["cell_type"] == cell_type).to_numpy()].mean(0)
        copy_mean = counts[(copies.obs["cell_type"] == cell_type).to_numpy()].mean(0)
        assert np.corrcoef(np.asarray(real_mean).ravel(), copy_mean)[0, 1] > 0.95
    assert not np.array_equal(counts, noisy_copies(train, keys, wanted, random_state=1).X.toarray())


def test_fidelity_scores_every_draw_and_the_first_in_full():
    import scgan

    run_split = _functions_of("fidelity")["run_split"]
    adata = scgan.datasets.simulate(
        n_cells=300, n_genes=60, n_cell_types=2, rare_fraction=0.3, n_markers=10, n_response_genes=5, random_state=0
    )
    result = run_split(adata, ["cell_type"], None, methods=["redraw"], options={}, seed=0, draws=2)
    assert len(result["redraw_draws"]) == 2
    assert result["redraw_draws"][0] == result["redraw"]["auroc"]
    assert result["redraw_draws"][0] != result["redraw_draws"][1]
    assert {"mmd", "per_label"} <= result["redraw"].keys() and "auroc" in result["real_vs_real"]


def test_fidelity_kept_scores_mixtures_of_the_best_generators_of_one_training():
    import scgan

    run_split = _functions_of("fidelity")["run_split"]
    adata = scgan.datasets.simulate(
        n_cells=300, n_genes=60, n_cell_types=2, rare_fraction=0.3, n_markers=10, n_response_genes=5, random_state=0
    )
    options = {
        "max_steps": 40,
        "validation_interval": 5,
        "n_latent": 8,
        "generator_hidden": [16],
        "critic_hidden": [16],
    }
    result = run_split(adata, ["cell_type"], None, methods=["scgan"], options=options, seed=0, draws=1, kept=[1, 3])
    assert result["n_generators"] == 3 and "scgan" not in result
    assert len(result["scgan_kept1_draws"]) == len(result["scgan_kept3_draws"]) == 1
    # the best generator alone is what a training keeping one generator keeps; three together draw other cells
    alone = run_split(
        adata, ["cell_type"], None, methods=["scgan"], options={**options, "n_kept_generators": 1}, seed=0, draws=1
    )
    assert alone["n_generators"] == 1
    assert result["scgan_kept1"]["mmd"] == alone["scgan"]["mmd"] != result["scgan_kept3"]["mmd"]


def test_oversampling_combine_gathers_runs_and_replaces_a_rerun_arm(tmp_path):
    import pandas as pd

    combine = _functions_of("oversampling")["combine"]
    rows = {"n_rare": 10, "classifier": "logreg", "features": "pca"}
    files = {
        "a": [(0, "none", 0.5), (1, "none", 0.5), (0, "scgan", 0.1), (1, "scgan", 0.1)],
        "b": [(2, "none", 0.5)],
        "c": [(1, "none", 0.5)],
        "scgan": [(0, "scgan", 0.9), (1, "scgan", 0.8)],
        "scvi": [(0, "scvi", 0.7)],
    }
    for name, runs in files.items():
        frame = pd.DataFrame([{**rows, "seed": s, "method": m, "rare_f1": f} for s, m, f in runs])
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    assert sorted(combine([tmp_path / "a.csv", tmp_path / "b.csv"])["seed"]) == [0, 0, 1, 1, 2]
    # other arms of the same seeds are gathered, the same arm of a seed twice is an error
    assert set(combine([tmp_path / "a.csv", tmp_path / "scvi.csv"])["method"]) == {"none", "scgan", "scvi"}
    with pytest.raises(SystemExit, match="share seeds"):
        combine([tmp_path / "a.csv", tmp_path / "c.csv"])
    with pytest.raises(SystemExit, match="no results file"):
        combine([tmp_path / "a.csv", tmp_path / "absent.csv"])
    with pytest.raises(SystemExit, match="no results file"):
        combine([tmp_path / "a.csv"], replace=[tmp_path / "absent.csv"])

    replaced = combine([tmp_path / "a.csv", tmp_path / "b.csv"], replace=[tmp_path / "scgan.csv"])
    assert len(replaced) == 5
    assert replaced.set_index(["method", "seed"])["rare_f1"].to_dict() == {
        ("none", 0): 0.5,
        ("none", 1): 0.5,
        ("none", 2): 0.5,
        ("scgan", 0): 0.9,
        ("scgan", 1): 0.8,
    }


def test_oversampling_replace_without_combine_is_an_error(tmp_path, monkeypatch, capsys):
    main = _functions_of("oversampling")["main"]
    monkeypatch.setattr("sys.argv", ["oversampling.py", "--replace", "x.csv", "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit):
        main()
    assert "--replace needs --combine" in capsys.readouterr().err


def test_oversampling_target_is_median_or_a_number_of_cells():
    import argparse

    target_size = _functions_of("oversampling")["target_size"]
    assert target_size("median") == "median"
    assert target_size("100") == 100
    with pytest.raises(argparse.ArgumentTypeError, match="'median' or a number of cells"):
        target_size("most")
