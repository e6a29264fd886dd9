"""memorisation: new real cells score as real, noisy copies of training cells are flagged."""

import numpy as np
import pytest

from scgan.metrics import memorisation, nearest_distances


def blob(n, *, seed):
    return np.random.default_rng(seed).normal(size=(n, 10))


def test_nearest_distances():
    train = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(nearest_distances(train, [[0.0, 1.0], [3.0, 4.0], [6.0, 8.0]]), [1.0, 0.0, 5.0])
    assert nearest_distances(train, np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ValueError, match="No training cells"):
        nearest_distances(np.zeros((0, 2)), train)
    with pytest.raises(ValueError, match="2 and 3 features"):
        nearest_distances(train, np.zeros((1, 3)))


def test_held_out_cells_as_synthetic_cells():
    train, held_out = blob(500, seed=0), blob(200, seed=1)
    values = memorisation(train, held_out, held_out)
    # the same cells on both sides: the same median, and no cell is closer than the closest of them
    assert values == {"memorisation_ratio": 1.0, "memorisation_fraction": 0.0}
    fresh = memorisation(train, blob(200, seed=2), held_out)
    assert 0.85 < fresh["memorisation_ratio"] < 1.15 and fresh["memorisation_fraction"] < 0.05


def test_noisy_copies_of_training_cells_fail_loudly():
    train, held_out = blob(500, seed=0), blob(200, seed=1)
    rng = np.random.default_rng(2)
    copies = train[rng.choice(500, 200)] + rng.normal(scale=0.1, size=(200, 10))
    values = memorisation(train, copies, held_out)
    assert values["memorisation_ratio"] < 0.2
    assert values["memorisation_fraction"] > 0.9


def test_empty_sides():
    train = blob(20, seed=0)
    assert all(np.isnan(value) for value in memorisation(train, train[:0], train).values())
    assert all(np.isnan(value) for value in memorisation(train, train, train[:0]).values())
    # held-out cells that are training cells: the ratio is undefined, not infinite
    assert np.isnan(memorisation(train, blob(5, seed=1), train)["memorisation_ratio"])
