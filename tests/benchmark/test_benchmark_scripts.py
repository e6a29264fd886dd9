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
