import functools
import hashlib
import inspect

import anndata as ad
import numpy as np
import pytest

import scgan
from scgan.cli import main, parse_cell_counts
from scgan.model import SCGAN


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
            "--generator-hidden",
            "32",
            "16",
            "--n-critic",
            "2",
        ]
    )
    assert (model_dir / "model.safetensors").exists()
    # the width reaches the network that is saved
    assert SCGAN.load(model_dir).module.generator.logits.in_features == 16
    main(["generate", str(model_dir), "--n", "rare,stim=7", "type_0,ctrl=3", "--out", str(tmp_path / "syn.h5ad")])
    syn = ad.read_h5ad(tmp_path / "syn.h5ad")
    assert syn.n_obs == 10 and (syn.obs["cell_type"] == "rare").sum() == 7
    assert syn.X.dtype == np.int32


def _recorder(monkeypatch, owner, name: str) -> dict:
    """Replace `owner.name` by a stand-in with the same signature that records its keyword arguments."""
    seen = {}
    original = getattr(owner, name)

    @functools.wraps(original)
    def record(*args, **kwargs):
        seen.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr(owner, name, record)
    return seen


@pytest.mark.parametrize(
    ("flag", "passed"),
    [
        ([], {}),
        (["--early-stopping"], {"early_stopping": True}),
        (["--no-early-stopping"], {"early_stopping": False}),
        (["--n-kept-generators", "1"], {"n_kept_generators": 1}),
        (["--generator-hidden", "512", "1024", "--n-critic", "2"], {"generator_hidden": [512, 1024], "n_critic": 2}),
    ],
)
def test_train_passes_only_given_options(simulated, tmp_path, monkeypatch, flag, passed):
    """Options left out are not passed, so their defaults are the library's, written once."""
    seen = _recorder(monkeypatch, scgan.tl, "train")
    simulated.write_h5ad(tmp_path / "data.h5ad")
    with pytest.raises(SystemExit):
        main(["train", str(tmp_path / "data.h5ad"), "--condition", "cell_type", "--out", str(tmp_path / "m"), *flag])
    assert seen == {"condition_key": ["cell_type"], **passed}


def test_demo_and_evaluate_pass_only_given_options(simulated, tmp_path, monkeypatch):
    import scgan._demo

    seen = _recorder(monkeypatch, scgan._demo, "run_demo")
    with pytest.raises(SystemExit):
        main(["demo", "--out", str(tmp_path / "demo"), "--n-seeds", "3"])
    assert seen == {"n_seeds": 3}

    seen = _recorder(monkeypatch, scgan.tl, "evaluate")
    simulated.write_h5ad(tmp_path / "data.h5ad")
    with pytest.raises(SystemExit):
        main(
            [
                "evaluate",
                str(tmp_path / "data.h5ad"),
                str(tmp_path / "data.h5ad"),
                "--key",
                "cell_type",
                "--n-comps",
                "7",
            ]
        )
    assert seen == {"key": "cell_type", "reference": None, "n_comps": 7}


def test_help_shows_the_library_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    out = capsys.readouterr().out
    n_top_genes = inspect.signature(scgan.tl.evaluate).parameters["n_top_genes"].default
    assert f"(default: {n_top_genes})" in " ".join(out.split())


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _error_line(capsys) -> str:
    """stderr, checked to be the one line argparse would print, without a traceback."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("scgan: error: "), err
    return err.removeprefix("scgan: error: ").rstrip("\n")


@pytest.fixture
def data_file(simulated, tmp_path):
    path = tmp_path / "data.h5ad"
    simulated.write_h5ad(path)
    return path


def _train(data, tmp_path, *options) -> int:
    return main(["train", str(data), "--condition", "cell_type", "--out", str(tmp_path / "model"), *options])


def test_train_missing_file(tmp_path, capsys):
    assert _train(tmp_path / "missing.h5ad", tmp_path) == 2
    assert _error_line(capsys) == f"{tmp_path / 'missing.h5ad'} does not exist; pass the h5ad file of raw counts."
    assert not (tmp_path / "model").exists()


def test_train_not_an_h5ad(tmp_path, capsys):
    path = tmp_path / "notes.h5ad"
    path.write_text("not hdf5")
    assert _train(path, tmp_path) == 2
    assert _error_line(capsys).startswith(f"{path} could not be read as an h5ad file of raw counts (")
    assert path.read_text() == "not hdf5"


def test_train_missing_column(data_file, tmp_path, capsys):
    before = _digest(data_file)
    assert main(["train", str(data_file), "--condition", "nope", "--out", str(tmp_path / "model")]) == 2
    assert _error_line(capsys) == "Column 'nope' not found in adata.obs. Available columns: ['cell_type', 'condition']."
    assert _digest(data_file) == before and not (tmp_path / "model").exists()


def test_train_missing_layer(data_file, tmp_path, capsys):
    before = _digest(data_file)
    assert _train(data_file, tmp_path, "--layer", "counts") == 2
    assert _error_line(capsys) == "Layer 'counts' not found. Available layers: []; use layer=None for adata.X."
    assert _digest(data_file) == before


def test_train_bad_counts(simulated, tmp_path, capsys):
    simulated.X = np.log1p(simulated.X.toarray())
    path = tmp_path / "lognorm.h5ad"
    simulated.write_h5ad(path)
    before = _digest(path)
    assert _train(path, tmp_path) == 2
    line = _error_line(capsys)
    assert line.startswith(
        "adata.X must hold raw counts (non-negative integers), but it contains a value that is not an integer"
    )
    assert "layer='counts'" in line
    assert _digest(path) == before


def test_train_duplicate_genes(simulated, tmp_path, capsys):
    simulated.var_names = ["gene_0", *simulated.var_names[:-1]]
    path = tmp_path / "duplicated.h5ad"
    simulated.write_h5ad(path)
    before = _digest(path)
    assert _train(path, tmp_path) == 2
    assert _error_line(capsys) == (
        "Gene names must be unique, but adata.var_names repeats 1 of them, e.g. ['gene_0']. "
        "Call adata.var_names_make_unique() first (or sum the duplicated genes)."
    )
    assert _digest(path) == before


def test_train_refuses_an_existing_model_before_training(data_file, tmp_path, capsys, monkeypatch):
    seen = _recorder(monkeypatch, scgan.tl, "train")
    (tmp_path / "model").mkdir()
    assert _train(data_file, tmp_path) == 2
    assert _error_line(capsys) == (
        f"{tmp_path / 'model'} already exists; pass --overwrite to replace it, or choose another --out."
    )
    assert seen == {}


def test_generate_missing_model(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "nomodel"), "--n", "5", "--out", str(tmp_path / "syn.h5ad")]) == 2
    assert _error_line(capsys) == (f"{tmp_path / 'nomodel'} is not a folder; pass the folder written by model.save().")
    assert not (tmp_path / "syn.h5ad").exists()


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (["B", "NK=5"], "--n takes one number of cells or LABEL=COUNT pairs, got 'B'."),
        (["many"], "--n takes a number of cells or LABEL=COUNT pairs, got 'many'."),
        (["NK=lots"], "--n takes a number of cells or LABEL=COUNT pairs, got 'lots'."),
    ],
)
def test_generate_bad_counts(tmp_path, capsys, counts, message):
    assert main(["generate", str(tmp_path / "nomodel"), "--n", *counts, "--out", str(tmp_path / "syn.h5ad")]) == 2
    assert _error_line(capsys) == message


def test_evaluate_missing_column_and_layer(data_file, tmp_path, capsys):
    before = _digest(data_file)
    argv = ["evaluate", str(data_file), str(data_file)]
    assert main([*argv, "--key", "nope"]) == 2
    assert _error_line(capsys) == "Column 'nope' not found in adata.obs. Available columns: ['cell_type', 'condition']."
    assert main([*argv, "--key", "cell_type", "--layer", "counts"]) == 2
    assert _error_line(capsys).startswith("Layer 'counts' not found.")
    assert main([*argv, "--key", "cell_type", "--reference", str(tmp_path / "missing.h5ad")]) == 2
    assert (
        _error_line(capsys)
        == f"{tmp_path / 'missing.h5ad'} does not exist; pass the h5ad file of reference real cells."
    )
    assert _digest(data_file) == before


def test_demo_out_is_a_file(tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("keep me")
    assert main(["demo", "--out", str(out)]) == 2
    assert str(out) in _error_line(capsys)
    assert out.read_text() == "keep me"


def test_unexpected_errors_keep_their_traceback(data_file, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(scgan.tl, "train", functools.wraps(scgan.tl.train)(broken))
    with pytest.raises(RuntimeError, match="a bug"):
        _train(data_file, tmp_path)


def test_parse_cell_counts():
    assert parse_cell_counts(["500"]) == 500
    assert parse_cell_counts(["B cells=100", "NK=5"]) == {"B cells": 100, "NK": 5}
    assert parse_cell_counts(["a,b=5"]) == {("a", "b"): 5}
    with pytest.raises(ValueError, match="LABEL=COUNT"):
        parse_cell_counts(["B", "NK=5"])
