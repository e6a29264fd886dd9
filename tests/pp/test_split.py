import numpy as np
import pytest

import scgan


def test_split_is_stratified(simulated):
    scgan.pp.split(simulated, "cell_type", test_size=0.25, random_state=3)
    split = simulated.obs["scgan_split"]
    assert list(split.cat.categories) == ["train", "test"]
    fractions = simulated.obs.groupby("cell_type", observed=True)["scgan_split"].apply(lambda s: (s == "test").mean())
    np.testing.assert_allclose(fractions.to_numpy(), 0.25, atol=0.03)
    again = scgan.pp.split(simulated, "cell_type", test_size=0.25, random_state=3, key_added="again", copy=True)
    assert (again.obs["again"] == split).all()


def test_split_tiny_class_stays_in_train(simulated):
    simulated.obs["cell_type"] = simulated.obs["cell_type"].cat.add_categories("single")
    simulated.obs.iloc[0, simulated.obs.columns.get_loc("cell_type")] = "single"
    with pytest.warns(UserWarning, match="single"):
        scgan.pp.split(simulated, "cell_type")
    assert simulated.obs["scgan_split"].iloc[0] == "train"


def test_split_missing_key_lists_columns(simulated):
    with pytest.raises(KeyError, match="cell_type"):
        scgan.pp.split(simulated, "celltype")
    assert "scgan_split" not in simulated.obs


def test_split_bad_test_size(simulated):
    with pytest.raises(ValueError, match="test_size"):
        scgan.pp.split(simulated, "cell_type", test_size=1.5)


@pytest.mark.parametrize("test_size", [0, 1, -0.1, 1.5, float("nan"), True, "0.2"])
def test_split_rejects_test_size_outside_zero_one(simulated, test_size):
    with pytest.raises(ValueError, match=r"test_size must be a fraction of cells strictly between 0 and 1, got "):
        scgan.pp.split(simulated, "cell_type", test_size=test_size)
    assert "scgan_split" not in simulated.obs
