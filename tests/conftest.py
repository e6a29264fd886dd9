"""Seeded fixtures shared by all tests."""

from __future__ import annotations

from pathlib import Path

import anndata as ad
import pytest

import scgan

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def _simulated():
    return scgan.datasets.simulate(
        n_cells=400, n_genes=120, n_cell_types=3, rare_fraction=0.1, n_markers=10, n_response_genes=10, random_state=0
    )


@pytest.fixture
def simulated(_simulated):
    """Small NB counts: 3 types (the last, 'rare', at 10%), a ctrl/stim condition; a fresh copy per test."""
    return _simulated.copy()


@pytest.fixture(scope="session")
def _pbmc68k():
    return scgan.datasets.pbmc68k()


@pytest.fixture
def pbmc68k(_pbmc68k):
    return _pbmc68k.copy()


@pytest.fixture(scope="session")
def kang():
    """Kang et al. IFN-beta PBMCs (1,556 real cells) from ../shared/data; the test skips when it is absent."""
    path = SHARED_DATA / "kang_ifnb.h5ad"
    if not path.exists():
        pytest.skip(f"{path} not available")
    return ad.read_h5ad(path)
