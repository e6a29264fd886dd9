"""Precision, recall, density and coverage: which real states synthetic cells reach, from k-nearest-neighbour balls."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

# distances computed at once: a block of rows x all columns of about this many entries
BLOCK_ENTRIES = 2**22


def _subsample(cells: np.ndarray, max_cells: int, rng: np.random.Generator) -> np.ndarray:
    if cells.shape[0] <= max_cells:
        return cells
    return cells[np.sort(rng.choice(cells.shape[0], max_cells, replace=False))]


def _ball_radii(cells: np.ndarray, n_neighbors: int) -> np.ndarray:
    """Distance of each cell to its `n_neighbors`-th nearest other cell.

    scipy's ``cdist`` computes each distance from the differences of the coordinates, so d(x, y) equals d(y, x)
    bit for bit and a neighbour on the border of a ball is inside it.
    """
    radii = np.empty(cells.shape[0])
    block = max(1, BLOCK_ENTRIES // cells.shape[0])
    for start in range(0, cells.shape[0], block):
        distances = cdist(cells[start : start + block], cells)
        # the cell itself is among the n_neighbors + 1 nearest (at distance 0)
        radii[start : start + block] = np.partition(distances, n_neighbors, axis=1)[:, n_neighbors]
    return radii


def precision_recall_coverage(
    real,
    synthetic,
    *,
    n_neighbors: int = 5,
    max_cells: int = 5000,
    random_state: int = 0,
) -> dict[str, float]:
    """Precision, recall, density and coverage of synthetic cells with k-nearest-neighbour balls.

    Each real cell gets a ball reaching its `n_neighbors`-th nearest real neighbour, each synthetic cell one
    reaching its `n_neighbors`-th nearest synthetic neighbour (Kynkäänniemi et al. 2019; Naeem et al. 2020). A
    point lies in a ball when its distance to the centre is at most the radius.

    - ``precision``: fraction of synthetic cells inside at least one real ball (synthetic cells where real
      cells are);
    - ``recall``: fraction of real cells inside at least one synthetic ball (real states the synthetic cells
      reach);
    - ``density``: number of real balls containing each synthetic cell, averaged and divided by
      `n_neighbors` (about 1 when both follow one distribution, above 1 when synthetic cells crowd where real
      cells are densest);
    - ``coverage``: fraction of real cells whose own ball contains at least one synthetic cell. Unlike recall
      it uses only real balls, so a few outlying synthetic cells cannot inflate it; a real state the
      generator dropped lowers it by that state's share of the cells.

    Parameters
    ----------
    real, synthetic
        Cells x features (e.g. PCA coordinates), the same features on both sides.
    n_neighbors
        k of the k-nearest-neighbour balls (Naeem et al. use 5).
    max_cells
        Each side is subsampled to at most this many cells (the cost grows with their product).
    random_state
        Seed of the subsampling.

    Returns
    -------
    ``precision``, ``recall``, ``density`` and ``coverage``. For two samples of one distribution precision,
    recall and coverage are close to 1 (exactly 1 for identical sets) and density about 1; NaN when a side has
    no more than `n_neighbors` cells.
    """
    keys = ("precision", "recall", "density", "coverage")
    real, synthetic = np.asarray(real, dtype=np.float64), np.asarray(synthetic, dtype=np.float64)
    if real.shape[1] != synthetic.shape[1]:
        msg = f"real and synthetic cells have {real.shape[1]} and {synthetic.shape[1]} features; pass the same ones."
        raise ValueError(msg)
    if n_neighbors < 1:
        msg = f"n_neighbors must be at least 1, got {n_neighbors!r}."
        raise ValueError(msg)
    if min(real.shape[0], synthetic.shape[0]) <= n_neighbors:
        return dict.fromkeys(keys, float("nan"))
    rng = np.random.default_rng(random_state)
    real, synthetic = _subsample(real, max_cells, rng), _subsample(synthetic, max_cells, rng)
    real_radii, synthetic_radii = _ball_radii(real, n_neighbors), _ball_radii(synthetic, n_neighbors)

    in_real_balls = np.zeros(synthetic.shape[0], dtype=np.int64)  # per synthetic cell
    real_reached = np.zeros(real.shape[0], dtype=bool)  # real cell inside a synthetic ball
    real_covered = np.zeros(real.shape[0], dtype=bool)  # real ball holding a synthetic cell
    block = max(1, BLOCK_ENTRIES // real.shape[0])
    for start in range(0, synthetic.shape[0], block):
        stop = min(start + block, synthetic.shape[0])
        distances = cdist(synthetic[start:stop], real)  # synthetic block x real
        inside_real = distances <= real_radii[None, :]
        in_real_balls[start:stop] = inside_real.sum(axis=1)
        real_covered |= inside_real.any(axis=0)
        real_reached |= (distances <= synthetic_radii[start:stop, None]).any(axis=0)
    return {
        "precision": float((in_real_balls > 0).mean()),
        "recall": float(real_reached.mean()),
        "density": float(in_real_balls.mean() / n_neighbors),
        "coverage": float(real_covered.mean()),
    }
