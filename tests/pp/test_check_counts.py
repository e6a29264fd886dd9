import anndata as ad
import numpy as np
import pytest
import scipy.sparse as sp

import scgan


@pytest.mark.parametrize("fmt", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_accepts_counts(fmt):
    scgan.pp.check_counts(ad.AnnData(fmt(np.array([[0, 3], [1, 0]], dtype=np.float32))))


@pytest.mark.parametrize("fmt", [np.asarray, sp.csr_matrix, sp.csc_matrix])
@pytest.mark.parametrize(
    ("bad", "reason"), [(0.5, "not an integer"), (-1.0, "negative"), (np.nan, "NaN"), (np.inf, "infinite")]
)
def test_rejects_bad_values(fmt, bad, reason):
    x = np.array([[0, 3], [1, bad]], dtype=np.float64)
    adata = ad.AnnData(fmt(x))
    with pytest.raises(ValueError, match=reason) as info:
        scgan.pp.check_counts(adata)
    assert "adata.X" in str(info.value)
    # input unchanged
    np.testing.assert_array_equal(np.asarray(sp.csr_matrix(adata.X).toarray()), x)


def test_names_the_layer(simulated):
    simulated.layers["lognorm"] = np.log1p(simulated.X.toarray())
    with pytest.raises(ValueError, match=r"layers\['lognorm'\]"):
        scgan.pp.check_counts(simulated, layer="lognorm")
    scgan.pp.check_counts(simulated)


def test_missing_layer(simulated):
    with pytest.raises(KeyError, match="counts"):
        scgan.pp.check_counts(simulated, layer="counts")


def test_empty():
    with pytest.raises(ValueError, match="empty"):
        scgan.pp.check_counts(ad.AnnData(np.zeros((0, 5))))


def test_negative_integers():
    with pytest.raises(ValueError, match="negative"):
        scgan.pp.check_counts(ad.AnnData(np.array([[1, -2]], dtype=np.int32)))


def test_backed(simulated, tmp_path):
    bad = simulated.copy()
    bad.X = bad.X.astype(np.float32)
    bad.X[-1, -1] = 0.25  # in the last row block read
    for adata, ok in ((simulated, True), (bad, False)):
        path = tmp_path / f"{ok}.h5ad"
        adata.write_h5ad(path)
        backed = ad.read_h5ad(path, backed="r")
        if ok:
            scgan.pp.check_counts(backed)
        else:
            with pytest.raises(ValueError, match=r"0\.25"):
                scgan.pp.check_counts(backed)
        backed.file.close()


def test_duplicate_gene_names(simulated):
    simulated.var_names = ["gene_1", "gene_1", "gene_2", "gene_2", *simulated.var_names[4:]]
    names = list(simulated.var_names)
    with pytest.raises(ValueError, match=r"repeats 2 of them, e.g. \['gene_1', 'gene_2'\]") as info:
        scgan.pp.check_counts(simulated)
    assert "adata.var_names_make_unique()" in str(info.value)
    assert list(simulated.var_names) == names
    simulated.var_names_make_unique()
    scgan.pp.check_counts(simulated)
