import inspect
import re

import numpy as np
import pytest

import scgan
from scgan.pp._prepare import N_TOP_GENES


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


@pytest.mark.parametrize("n_top_genes", [0, -5, 2.5, True, "100"])
def test_prepare_bad_n_top_genes(simulated, n_top_genes):
    with pytest.raises(
        ValueError, match=r"n_top_genes must be a positive integer .*, got " + re.escape(repr(n_top_genes))
    ):
        scgan.pp.prepare(simulated, n_top_genes=n_top_genes)
    assert simulated.n_vars == 120 and "scgan_prepare" not in simulated.uns


def test_n_top_genes_default_is_one_number():
    """Every public function choosing highly variable genes defaults to the same number of them."""
    defaults = {
        f"{namespace.__name__}.{name}": inspect.signature(getattr(namespace, name)).parameters["n_top_genes"].default
        for namespace in (scgan.pp, scgan.tl, scgan.pl)
        for name in namespace.__all__
        if "n_top_genes" in inspect.signature(getattr(namespace, name)).parameters
    }
    assert "scgan.pp.prepare" in defaults and "scgan.pl.embedding" in defaults
    assert defaults == dict.fromkeys(defaults, N_TOP_GENES)
