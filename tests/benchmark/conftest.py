"""Fixtures of the benchmark tests: a fold of simulated training cells and the harness with the tl defaults."""

from __future__ import annotations

import inspect

import anndata as ad
import numpy as np
import pytest

import scgan
from scgan import benchmark
from scgan.metrics._features import PCASpace
from scgan.metrics._oversampling import ScaledLogSpace


@pytest.fixture
def fold(simulated):
    """All 400 simulated cells on 60 genes as training cells (40 of 'rare'), rare class to be topped up to 60."""
    adata = simulated[:, :60].copy()
    spaces = {"pca": PCASpace(10, random_state=0).fit(adata.X), "hvg": ScaledLogSpace().fit(adata.X)}
    return benchmark.Fold(
        adata=adata,
        key="cell_type",
        rare="rare",
        target=60,
        random_state=0,
        spaces=spaces,
        features={name: space.transform(adata.X) for name, space in spaces.items()},
        labels=adata.obs["cell_type"].astype(str).to_numpy(),
    )


@pytest.fixture
def oversampling():
    """`scgan.benchmark.oversampling` with the defaults of `scgan.tl.benchmark_oversampling`, no progress bar."""
    parameters = inspect.signature(scgan.tl.benchmark_oversampling).parameters.values()
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

    def run(adata, **kwargs):
        return benchmark.oversampling(adata, **(defaults | {"progress": False} | kwargs))

    return run


@pytest.fixture
def resample_rare():
    """A user generator: real rare training cells drawn with replacement."""

    def generate(train_adata, label, n_cells):
        rare = np.flatnonzero(train_adata.obs["cell_type"] == label)
        drawn = np.random.default_rng(0).choice(rare, n_cells)
        return ad.AnnData(X=train_adata.X[drawn], var=train_adata.var[[]])

    return generate
