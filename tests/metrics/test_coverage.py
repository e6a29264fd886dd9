"""precision_recall_coverage: exact on identical sets, zero on disjoint ones, and a dropped state lowers recall."""

import numpy as np
import pytest

from scgan.metrics import precision_recall_coverage


def blob(n, center, *, seed):
    return np.random.default_rng(seed).normal(size=(n, 5)) + center


def test_identical_sets():
    cells = blob(200, 0.0, seed=0)
    values = precision_recall_coverage(cells, cells.copy())
    assert values["precision"] == 1 and values["recall"] == 1 and values["coverage"] == 1
    # each cell lies in its own ball and in the balls of the cells that have it among their 5 neighbours (5 per
    # cell on average): (1 + 5) / 5
    assert values["density"] == pytest.approx(1.2)


def test_two_samples_of_one_distribution_and_disjoint_sets():
    same = precision_recall_coverage(blob(400, 0.0, seed=0), blob(400, 0.0, seed=1))
    assert same["precision"] > 0.8 and same["recall"] > 0.8 and same["coverage"] > 0.9
    assert 0.8 < same["density"] < 1.2
    apart = precision_recall_coverage(blob(200, 0.0, seed=0), blob(200, 20.0, seed=1))
    assert apart == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_a_dropped_minority_state_lowers_recall_and_coverage_not_precision():
    # real cells: 90% in one state, 10% in a second; the generator only makes the first
    real = np.vstack([blob(360, 0.0, seed=0), blob(40, 8.0, seed=1)])
    dropped = blob(400, 0.0, seed=2)
    both = np.vstack([blob(360, 0.0, seed=2), blob(40, 8.0, seed=3)])
    without, full = precision_recall_coverage(real, dropped), precision_recall_coverage(real, both)
    assert without["precision"] > 0.9
    assert without["recall"] <= 0.9 and without["coverage"] <= 0.9
    assert full["recall"] > 0.9 and full["coverage"] > 0.9
    # per state: none of the dropped state's real cells is reached
    assert precision_recall_coverage(real[360:], dropped)["recall"] == 0


def test_small_sides_subsampling_and_errors():
    cells = blob(50, 0.0, seed=0)
    assert all(np.isnan(value) for value in precision_recall_coverage(cells[:5], cells).values())
    subsampled = precision_recall_coverage(cells, blob(50, 0.0, seed=1), max_cells=20, random_state=3)
    assert subsampled == precision_recall_coverage(cells, blob(50, 0.0, seed=1), max_cells=20, random_state=3)
    with pytest.raises(ValueError, match="5 and 4 features"):
        precision_recall_coverage(cells, cells[:, :4])
    with pytest.raises(ValueError, match="n_neighbors"):
        precision_recall_coverage(cells, cells, n_neighbors=0)
