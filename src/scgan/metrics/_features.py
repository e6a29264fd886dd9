"""The feature space every metric shares: log1p counts per 10k and a PCA fitted on real cells only."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA


def log1p_cp10k(counts) -> np.ndarray:
    """Dense float32 log1p of counts per 10,000 per cell; cells with no counts stay at zero."""
    counts = counts.toarray() if sp.issparse(counts) else np.asarray(counts)
    counts = counts.astype(np.float32, copy=False)
    totals = counts.sum(axis=1, keepdims=True)
    return np.log1p(counts / np.maximum(totals, 1.0) * 1e4)


class PCASpace:
    """PCA of log1p counts per 10k, fitted on real cells; other cells are projected into it.

    Parameters
    ----------
    n_comps
        Number of components, capped by the size of the fitted data.
    random_state
        Seed of the randomised solver.
    exact
        Use an exact (full) SVD rather than scikit-learn's automatic choice, which is randomised for large
        inputs and can blur the trailing components.
    """

    def __init__(self, n_comps: int = 50, *, random_state: int = 0, exact: bool = False):
        self.n_comps = n_comps
        self.random_state = random_state
        self.exact = exact
        self.pca: PCA | None = None

    def fit(self, counts) -> PCASpace:
        """Fit the PCA on real counts (cells x genes)."""
        lognorm = log1p_cp10k(counts)
        n_comps = int(min(self.n_comps, lognorm.shape[0] - 1, lognorm.shape[1]))
        solver = "full" if self.exact else "auto"
        self.pca = PCA(n_components=n_comps, svd_solver=solver, random_state=self.random_state).fit(lognorm)
        return self

    def transform(self, counts) -> np.ndarray:
        """Project counts (cells x genes, the fitted genes) into the PCA space."""
        if self.pca is None:
            msg = "PCASpace.fit must be called before transform."
            raise RuntimeError(msg)
        return self.pca.transform(log1p_cp10k(counts))
