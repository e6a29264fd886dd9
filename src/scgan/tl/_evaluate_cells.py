"""Cells of an evaluation: the inputs checked, and the real cells split into fitted, compared and reference."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from anndata import AnnData

from scgan._utils import check_nonempty, check_obs_key, get_matrix, is_integer
from scgan.pp._split import split_indices

# above this fraction of real genes missing from the synthetic cells, the comparison would be misleading
MAX_MISSING_GENES = 0.1


@dataclass
class Cells:
    """Cells of one side of a comparison, in every representation the metrics need."""

    counts: object
    features: np.ndarray
    lognorm: np.ndarray
    labels: np.ndarray
    contrasts: np.ndarray | None = None  # the level of `contrast_key` of each cell

    def subset(self, mask: np.ndarray) -> Cells:
        contrasts = None if self.contrasts is None else self.contrasts[mask]
        return Cells(self.counts[mask], self.features[mask], self.lognorm[mask], self.labels[mask], contrasts)


def check_inputs(
    real: AnnData,
    synthetic: AnnData,
    reference: AnnData | None,
    *,
    key: str,
    contrast_key: str | None,
    layer: str | None,
    max_cells: int | None,
):
    """Validate the three objects and `max_cells`; return the count matrices (reference's is None without it)."""
    if max_cells is not None and not (is_integer(max_cells) and max_cells >= 1):
        msg = f"max_cells must be a positive integer or None, got {max_cells!r}."
        raise ValueError(msg)
    for adata in (real, synthetic) if reference is None else (real, synthetic, reference):
        check_nonempty(adata)
        check_obs_key(adata, key)
        if contrast_key is not None:
            check_obs_key(adata, contrast_key)
    real_counts = get_matrix(real, layer)
    reference_counts = None if reference is None else get_matrix(reference, layer)
    if reference is not None and real.obs_names.isin(reference.obs_names).any():
        warnings.warn(
            f"{int(real.obs_names.isin(reference.obs_names).sum())} cells of `real` are also in `reference`; "
            "the reference should be other real cells (e.g. the training split), or real-vs-real looks too good.",
            UserWarning,
            stacklevel=3,
        )
    return real_counts, synthetic.X, reference_counts


def labels_of(adata: AnnData, key: str, side: str) -> np.ndarray:
    """Labels of `key` as strings, refusing missing ones."""
    values = adata.obs[key]
    if values.isna().any():
        msg = f"Column {key!r} of the {side} cells has {int(values.isna().sum())} missing labels; fill or drop them."
        raise ValueError(msg)
    return values.astype(str).to_numpy()


def common_genes(real: AnnData, synthetic: AnnData, reference: AnnData | None) -> list[str]:
    """Genes of `real` (in its order) that the other objects also have; refuse when many are missing."""
    genes = real.var_names
    others = {"synthetic": synthetic} if reference is None else {"synthetic": synthetic, "reference": reference}
    for side, other in others.items():
        missing = genes.difference(other.var_names)
        if len(missing) > MAX_MISSING_GENES * real.n_vars:
            msg = (
                f"The {side} cells lack {len(missing)} of the {real.n_vars} genes of the real cells "
                f"(e.g. {list(missing[:5])}). Compare the same genes, e.g. real[:, {side}.var_names] when the "
                f"{side} cells have only the genes the model was trained on."
            )
            raise ValueError(msg)
        if len(missing):
            warnings.warn(
                f"The {side} cells lack {len(missing)} of the {real.n_vars} genes of the real cells; "
                "evaluating on the genes they share.",
                UserWarning,
                stacklevel=3,
            )
    for other in others.values():
        genes = genes[genes.isin(other.var_names)]
    return list(genes)


def joint(labels: np.ndarray, contrasts: np.ndarray | None) -> np.ndarray:
    """Labels, or label x contrast level as one string per cell."""
    if contrasts is None:
        return labels
    return np.char.add(np.char.add(labels.astype(str), "\x1f"), contrasts.astype(str))


def split_in_two(labels: np.ndarray, *, second_fraction: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split of row indices; labels with a single cell go to the first part."""
    names, counts = np.unique(labels, return_counts=True)
    splittable = np.isin(labels, names[counts >= 2])
    rows = np.flatnonzero(splittable)
    try:
        first, second = split_indices(labels[rows], test_size=second_fraction, random_state=random_state)
    except ValueError as error:
        msg = (
            f"Too few real cells ({labels.size}, labels {dict(zip(names, counts, strict=True))}) to split them by "
            f"label for the evaluation; pass more real cells or a `reference`. ({error})"
        )
        raise ValueError(msg) from error
    first = np.sort(np.concatenate([rows[first], np.flatnonzero(~splittable)]))
    return first, rows[second]


def match_composition(
    pool: np.ndarray, pool_labels: np.ndarray, synthetic_labels: np.ndarray, *, random_state: int
) -> np.ndarray:
    """Rows of `pool` with as many cells per label as the synthetic cells have, as far as the pool allows."""
    rng = np.random.default_rng(random_state)
    names, counts = np.unique(synthetic_labels, return_counts=True)
    chosen = []
    for name, count in zip(names, counts, strict=True):
        candidates = pool[pool_labels == name]
        chosen.append(rng.choice(candidates, min(count, candidates.size), replace=False))
    return np.sort(np.concatenate(chosen)).astype(np.intp)


def select(counts, rows: np.ndarray, columns: np.ndarray):
    """Rows, then columns, of a count matrix (scipy sparse stays sparse)."""
    return counts[rows][:, columns]
