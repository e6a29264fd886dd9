"""Memorisation: whether synthetic cells sit closer to the training cells than new real cells do."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors


def nearest_distances(train, cells) -> np.ndarray:
    """Euclidean distance of each of `cells` to its nearest cell of `train` (both cells x the same features)."""
    train, cells = np.asarray(train, dtype=np.float64), np.asarray(cells, dtype=np.float64)
    if train.shape[1] != cells.shape[1]:
        msg = f"training cells and cells have {train.shape[1]} and {cells.shape[1]} features; pass the same ones."
        raise ValueError(msg)
    if train.shape[0] == 0:
        msg = "No training cells to measure distances to; pass the cells the generator was trained on."
        raise ValueError(msg)
    if cells.shape[0] == 0:
        return np.zeros(0)
    distances, _ = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(cells)
    return distances[:, 0]


def memorisation(train, synthetic, held_out) -> dict[str, float]:
    """Distances of synthetic and of held-out real cells to their nearest training cell, compared.

    Let d(x) be the Euclidean distance from cell x to its nearest training cell. A generator that learned the
    distribution places its cells as far from the training cells as new real cells (the held-out cells) are; a
    generator that memorised returns cells next to training cells.

    - ``memorisation_ratio``: median of d over the synthetic cells divided by its median over the held-out
      cells. About 1 for a generator as good as new real data; well below 1 for (noisy) copies of training
      cells. Above 1 means synthetic cells lie further from real cells than real cells do (a fidelity problem,
      not memorisation).
    - ``memorisation_fraction``: fraction of synthetic cells s with d(s) < min over held-out cells h of d(h),
      i.e. closer to a training cell than any held-out cell is to a training cell. If synthetic and held-out
      cells come from one distribution, it is about 1 / (number of held-out cells + 1); copies push it
      towards 1.

    Parameters
    ----------
    train
        Training cells of the generator x features (e.g. PCA coordinates).
    synthetic
        Synthetic cells x the same features.
    held_out
        Real cells the generator never saw x the same features.

    Returns
    -------
    ``memorisation_ratio`` and ``memorisation_fraction``; NaN when `synthetic` or `held_out` has no cells
    (and the ratio when the held-out median is 0).
    """
    synthetic_distances = nearest_distances(train, synthetic)
    held_out_distances = nearest_distances(train, held_out)
    if synthetic_distances.size == 0 or held_out_distances.size == 0:
        return {"memorisation_ratio": float("nan"), "memorisation_fraction": float("nan")}
    held_out_median = float(np.median(held_out_distances))
    ratio = float(np.median(synthetic_distances)) / held_out_median if held_out_median > 0 else float("nan")
    return {
        "memorisation_ratio": ratio,
        "memorisation_fraction": float((synthetic_distances < held_out_distances.min()).mean()),
    }
