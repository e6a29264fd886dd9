"""One fold of the oversampling benchmark: what an arm sees (real training cells only) and how it adds cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from anndata import AnnData

from scgan._utils import to_csr
from scgan.metrics._oversampling import TrainingSet, with_synthetic

# a generator arm's callable: (training cells, label, number of cells) -> AnnData of that many cells of counts
Generator = Callable[[AnnData, str, int], AnnData]


@dataclass(frozen=True)
class Fold:
    """The training side of one seed and one number of rare cells; the test cells are never part of it.

    Attributes
    ----------
    adata
        The kept training cells on the highly variable genes chosen from them: counts in `.X`, labels in
        ``.obs[key]``.
    key
        `.obs` column of the labels.
    rare
        The rare label.
    target
        Number of rare cells after oversampling.
    random_state
        Seed of this fold.
    spaces
        Feature spaces by name, fitted on `adata.X`.
    features
        The training cells in each feature space.
    labels
        Labels of the training cells, as strings.
    """

    adata: AnnData
    key: str
    rare: str
    target: int
    random_state: int
    spaces: dict
    features: dict[str, np.ndarray]
    labels: np.ndarray

    @property
    def n_needed(self) -> int:
        """Cells an arm adds to bring the rare class to `target`."""
        return max(self.target - int(np.sum(self.labels == self.rare)), 0)

    def resampled(self, resample: Callable[..., TrainingSet]) -> dict[str, TrainingSet]:
        """The training set in each feature space after a feature-space resampler such as SMOTE."""
        return {
            name: resample(features, self.labels, rare=self.rare, target=self.target, random_state=self.random_state)
            for name, features in self.features.items()
        }

    def with_generated(self, generator: Generator, *, name: str) -> dict[str, TrainingSet]:
        """The training set in each feature space plus the counts `generator` makes for the rare class.

        The generated cells are featurised exactly like real ones: the same genes, the spaces fitted on real
        training cells. `generator` gets a copy of `adata`, the rare label and :attr:`n_needed`.
        """
        if self.n_needed == 0:
            # nothing to generate (and a PCA cannot project zero cells)
            return {space: TrainingSet(features, self.labels) for space, features in self.features.items()}
        counts = self._generated_counts(generator, name)
        return {
            space: with_synthetic(features, self.labels, self.spaces[space].transform(counts), rare=self.rare)
            for space, features in self.features.items()
        }

    def _generated_counts(self, generator: Generator, name: str) -> sp.csr_matrix:
        n_cells = self.n_needed
        synthetic = generator(self.adata.copy(), self.rare, n_cells)
        if not isinstance(synthetic, AnnData) or synthetic.n_obs != n_cells:
            got = f"{synthetic.n_obs} cells" if isinstance(synthetic, AnnData) else type(synthetic).__name__
            msg = f"Method {name!r} must return an AnnData of {n_cells} cells, got {got}."
            raise ValueError(msg)
        genes = synthetic.var_names.get_indexer(self.adata.var_names)
        if np.any(genes < 0):
            missing = list(self.adata.var_names[genes < 0][:5])
            msg = f"Method {name!r} returned cells without the training genes (e.g. {missing}); return all of them."
            raise ValueError(msg)
        return to_csr(synthetic.X)[:, genes]
