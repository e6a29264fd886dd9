import numpy as np
import pytest

import scgan


def test_prepare_in_place(simulated):
    before = simulated.X[:, :5].toarray()
    assert scgan.pp.prepare(simulated, n_top_genes=50) is None
    assert simulated.n_vars == 50
    assert simulated.uns["scgan_prepare"]["params"]["n_top_genes"] == 50
    assert simulated.X.dtype.kind == "i"  # counts kept
    # markers carry the variance: most kept genes are marker or response genes
    informative = (simulated.var["marker_of"] != "") | simulated.var["response"]
    assert informative.mean() > 0.6
    assert before.shape == (400, 5)


def test_prepare_copy(simulated):
    out = scgan.pp.prepare(simulated, n_top_genes=30, copy=True)
    assert out.n_vars == 30 and simulated.n_vars == 120
    assert "highly_variable_rank" in out.var


def test_prepare_keeps_all_when_few_genes(simulated):
    out = scgan.pp.prepare(simulated, n_top_genes=5000, copy=True)
    assert out.n_vars == simulated.n_vars


def test_prepare_layer(simulated):
    simulated.layers["counts"] = simulated.X.copy()
    simulated.X = np.log1p(simulated.X.toarray())
    out = scgan.pp.prepare(simulated, n_top_genes=40, layer="counts", copy=True)
    assert out.n_vars == 40


def test_prepare_rejects_lognormalised(simulated):
    simulated.X = np.log1p(simulated.X.toarray())
    x = simulated.X.copy()
    with pytest.raises(ValueError, match="raw counts"):
        scgan.pp.prepare(simulated)
    np.testing.assert_array_equal(simulated.X, x)
