"""Generation: synthetic cells as integer counts, in memory or written in blocks to an `.h5ad` file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import anndata
import h5py
import numpy as np
import pandas as pd
import psutil
import scipy.sparse as sp
import torch
from anndata import AnnData

from scgan._utils import jsonable
from scgan.model._requests import cell_count, condition_codes, condition_table

# a request whose counts would take more than this share of the available memory must go to a file
MAX_MEMORY_SHARE = 0.5
H5_CHUNK_VALUES = 2**16


def counts_to_csr(counts: torch.Tensor) -> sp.csr_matrix:
    """Integer counts (a float tensor, on any device) as an int32 CSR matrix, built from the non-zeros only."""
    rows, cols = counts.nonzero(as_tuple=True)
    indptr = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(torch.bincount(rows, minlength=counts.shape[0]).cpu().numpy(), out=indptr[1:])
    data = counts[rows, cols].to(torch.int32).cpu().numpy()
    return sp.csr_matrix((data, cols.to(torch.int32).cpu().numpy(), indptr), shape=tuple(counts.shape))


class GenerationMixin:
    """:meth:`generate` for :class:`~scgan.model.SCGAN`."""

    def generate(
        self,
        n_cells: int | Mapping | pd.DataFrame,
        *,
        random_state: int = 0,
        batch_size: int = 4096,
        filename: str | Path | None = None,
    ) -> AnnData:
        """Generate synthetic cells as integer counts.

        Parameters
        ----------
        n_cells
            An int (conditions drawn in training proportions), a mapping label -> number of cells (tuples of
            labels as keys for several condition columns), or a DataFrame with one row per cell holding the
            condition columns and the continuous covariates.
        random_state
            Seed; the same seed gives the same cells, in memory or in a file.
        batch_size
            Cells generated at once (the memory of generation besides the result).
        filename
            Write the cells block by block to this `.h5ad` file instead of building them in memory, for requests
            larger than memory. The file appears whole or not at all (written to a temporary file in the same
            folder, renamed when complete).

        Returns
        -------
        AnnData of synthetic cells: `.X` CSR integer counts (int32) with the training `.var`; `.obs` holds
        the condition columns (categoricals with the training categories), the continuous covariates,
        ``'scgan_synthetic'`` (True) and ``'library_size'``; unique `.obs_names`; `.uns['scgan']` holds the
        parameters and a summary of the model. With `filename`, the file opened read-only in backed mode.
        """
        if not self.is_trained_:
            msg = "The model is not trained yet; call model.train() (or scgan.tl.train) first."
            raise RuntimeError(msg)
        cell_count(batch_size, what="batch_size", minimum=1)
        rng = np.random.default_rng(random_state)
        table = condition_table(
            n_cells,
            categories=self.categories,
            covariate_names=self.covariate_names,
            module=self.module,
            rng=rng,
        )
        obs = table.copy()
        for key in self.condition_keys:
            obs[key] = pd.Categorical(obs[key], categories=self.categories[key])
        obs["scgan_synthetic"] = True
        obs.index = [f"scgan_{random_state}_{i}" for i in range(len(obs))]
        uns = {"scgan": self._generation_summary(len(obs), random_state)}
        blocks = self._count_blocks(table, rng, random_state=random_state, batch_size=batch_size)
        if filename is not None:
            return _write_h5ad(Path(filename), blocks, obs=obs, var=self.var, uns=uns)
        matrix = _stack_in_memory(blocks, n_cells=len(obs), n_genes=len(self.var))
        obs["library_size"] = np.asarray(matrix.sum(axis=1)).ravel()
        return AnnData(X=matrix, obs=obs, var=self.var.copy(), uns=uns)

    def _count_blocks(
        self, table: pd.DataFrame, rng: np.random.Generator, *, random_state: int, batch_size: int
    ) -> Iterator[sp.csr_matrix]:
        """CSR blocks of counts for the rows of `table`, generated `batch_size` cells at a time."""
        codes = condition_codes(table, self.categories) if self.condition_keys else None
        continuous = (
            torch.as_tensor(table[self.covariate_names].to_numpy(dtype=np.float32)) if self.covariate_names else None
        )
        library = self.module.draw_library_sizes(codes, len(table), rng)
        self.module.eval()
        device = next(self.module.parameters()).device
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(random_state)
            for start in range(0, len(table), batch_size):
                stop = min(start + batch_size, len(table))
                counts = self.module.generate(
                    codes[start:stop].to(device) if codes is not None else None,
                    continuous[start:stop].to(device) if continuous is not None else None,
                    library[start:stop].to(device),
                )
                yield counts_to_csr(counts)

    def _generation_summary(self, n_cells: int, random_state: int) -> dict:
        return {
            "condition_keys": self.condition_keys,
            "covariates": self.covariate_names,
            "n_cells": n_cells,
            "random_state": random_state,
            "model": {k: jsonable(v) for k, v in self.init_params_["non_kwargs"].items()},
            "model_summary": self._model_summary_string,
        }


def _stack_in_memory(blocks: Iterator[sp.csr_matrix], *, n_cells: int, n_genes: int) -> sp.csr_matrix:
    """Stack the blocks, refusing (after the first block) a request whose counts would not fit in memory."""
    first = next(blocks, None)
    if first is None:
        return sp.csr_matrix((0, n_genes), dtype=np.int32)
    # int32 values and column indices per non-zero, extrapolated from the first block
    expected = first.nnz / first.shape[0] * n_cells * 8
    available = psutil.virtual_memory().available
    if expected > MAX_MEMORY_SHARE * available:
        msg = (
            f"{n_cells} synthetic cells would take about {expected / 1e9:.1f} GB, more than half of the "
            f"{available / 1e9:.1f} GB of memory available; pass filename='cells.h5ad' to write them to disk in "
            "blocks, or ask for fewer cells."
        )
        raise MemoryError(msg)
    return sp.vstack([first, *blocks], format="csr")


def _write_h5ad(
    path: Path, blocks: Iterator[sp.csr_matrix], *, obs: pd.DataFrame, var: pd.DataFrame, uns: dict
) -> AnnData:
    """Write an AnnData whose `.X` arrives in blocks, atomically, and open it backed."""
    if path.suffix != ".h5ad":
        msg = f"filename must end in '.h5ad', got {str(path)!r}."
        raise ValueError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    library_size = np.zeros(len(obs), dtype=np.int64)
    try:
        with h5py.File(partial, "w") as file:
            # resizable arrays in chunks of 65,536 values: appending to an empty matrix would otherwise chunk the
            # row pointers one value at a time, and reading them back would take gigabytes for a million cells
            empty = sp.csr_matrix((0, len(var)), dtype=np.int32)
            anndata.io.write_elem(file, "X", empty, dataset_kwargs={"chunks": (H5_CHUNK_VALUES,)})
            matrix = anndata.io.sparse_dataset(file["X"])
            start = 0
            for block in blocks:
                matrix.append(block)
                library_size[start : start + block.shape[0]] = np.asarray(block.sum(axis=1)).ravel()
                start += block.shape[0]
            obs = obs.assign(library_size=library_size)
            for key, value in {"obs": obs, "var": var, "uns": uns, "obsm": {}, "varm": {}, "layers": {}}.items():
                anndata.io.write_elem(file, key, value)
            file.attrs.update({"encoding-type": "anndata", "encoding-version": "0.1.0"})
        partial.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return anndata.read_h5ad(path, backed="r")
