"""Oversampling kernels: rebalance a training set, fit a classifier and score the rare class, arrays in and out."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support

from scgan.metrics._features import PCASpace, log1p_cp10k

# scanpy's sc.pp.scale(max_value=10): a gene seen in a handful of training cells must not dominate a z-score
Z_SCORE_CLIP = 10.0
METRICS = ("rare_f1", "rare_precision", "rare_recall", "macro_f1", "balanced_accuracy")


class TrainingSet(NamedTuple):
    """Features and labels a classifier is fitted on, after one oversampling arm."""

    features: np.ndarray
    labels: np.ndarray
    class_weight: str | None = None
    n_synthetic: int = 0


class ScaledLogSpace:
    """Log1p counts per 10k, z-scored per gene with a scaler fitted on real training cells, clipped at ±10."""

    def __init__(self):
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def fit(self, counts) -> ScaledLogSpace:
        """Fit the per-gene mean and standard deviation on real counts (cells x genes)."""
        lognorm = log1p_cp10k(counts)
        self.mean = lognorm.mean(axis=0)
        std = lognorm.std(axis=0)
        # genes constant in training carry no information: leave them centred, never divide by zero
        self.scale = np.where(std > 0, std, 1.0).astype(np.float32)
        return self

    def transform(self, counts) -> np.ndarray:
        """Z-score counts (cells x genes, the fitted genes) with the fitted scaler."""
        if self.mean is None or self.scale is None:
            msg = "ScaledLogSpace.fit must be called before transform."
            raise RuntimeError(msg)
        return np.clip((log1p_cp10k(counts) - self.mean) / self.scale, -Z_SCORE_CLIP, Z_SCORE_CLIP)


FEATURE_SPACES: dict[str, Callable[[int], PCASpace | ScaledLogSpace]] = {
    "pca": lambda random_state: PCASpace(n_comps=50, random_state=random_state),
    "hvg": lambda random_state: ScaledLogSpace(),
}


def _n_rare(labels: np.ndarray, rare: str) -> int:
    return int(np.sum(labels == rare))


def oversample_none(features: np.ndarray, labels: np.ndarray, *, rare: str, target: int, random_state: int):
    """No augmentation: the classifier sees the imbalanced training set."""
    return TrainingSet(features, labels)


def oversample_class_weight(features: np.ndarray, labels: np.ndarray, *, rare: str, target: int, random_state: int):
    """No new cells; the classifier weights classes inversely to their frequency."""
    return TrainingSet(features, labels, class_weight="balanced")


def oversample_random(features: np.ndarray, labels: np.ndarray, *, rare: str, target: int, random_state: int):
    """Duplicate randomly drawn rare training cells until the rare class has `target` cells."""
    if _n_rare(labels, rare) >= target:
        return TrainingSet(features, labels)
    # imported here: imbalanced-learn adds a quarter of a second to `import scgan`
    from imblearn.over_sampling import RandomOverSampler

    sampler = RandomOverSampler(sampling_strategy={rare: target}, random_state=random_state)
    return _resampled(sampler, features, labels)


def oversample_smote(features: np.ndarray, labels: np.ndarray, *, rare: str, target: int, random_state: int):
    """SMOTE: interpolate between rare training cells and their rare neighbours up to `target` cells."""
    n_rare = _n_rare(labels, rare)
    if n_rare >= target:
        return TrainingSet(features, labels)
    if n_rare < 2:
        msg = f"SMOTE needs at least 2 cells of {rare!r} to interpolate between, got {n_rare}; raise n_rare."
        raise ValueError(msg)
    from imblearn.over_sampling import SMOTE

    sampler = SMOTE(sampling_strategy={rare: target}, k_neighbors=min(5, n_rare - 1), random_state=random_state)
    return _resampled(sampler, features, labels)


def _resampled(sampler, features: np.ndarray, labels: np.ndarray) -> TrainingSet:
    new_features, new_labels = sampler.fit_resample(features, labels)
    return TrainingSet(np.asarray(new_features), np.asarray(new_labels), n_synthetic=len(new_labels) - len(labels))


def with_synthetic(features: np.ndarray, labels: np.ndarray, synthetic: np.ndarray, *, rare: str) -> TrainingSet:
    """Append the features of synthetic cells to the training set, labelled `rare`."""
    synthetic = np.asarray(synthetic, dtype=features.dtype).reshape(-1, features.shape[1])
    return TrainingSet(
        np.vstack([features, synthetic]),
        np.concatenate([labels, np.full(len(synthetic), rare, dtype=labels.dtype)]),
        n_synthetic=len(synthetic),
    )


def poisson_floor(counts, n_cells: int, *, random_state: int = 0) -> sp.csr_matrix:
    """Poisson cells from the mean profile of `counts`, with library sizes resampled from its cells.

    The profile is the genes' share of the summed counts of all given cells, so every synthetic cell has the
    same expected proportions; only its library size and the Poisson noise vary. A baseline any generator
    that models cell-to-cell variation should beat.

    Parameters
    ----------
    counts
        Counts of the real cells to imitate (cells x genes), dense or sparse.
    n_cells
        Number of cells to draw.
    random_state
        Seed of the library-size resampling and the Poisson draws.

    Returns
    -------
    CSR int64 counts, `n_cells` x genes.
    """
    totals = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
    library_sizes = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    if totals.sum() <= 0:
        msg = "The cells to imitate have no counts; the floor arm needs real counts of the rare label."
        raise ValueError(msg)
    rng = np.random.default_rng(random_state)
    sampled_sizes = rng.choice(library_sizes, size=n_cells, replace=True)
    return sp.csr_matrix(rng.poisson(np.outer(sampled_sizes, totals / totals.sum())))


def _logistic_regression(*, class_weight: str | None, random_state: int):
    # z-scored HVGs of a few hundred cells are close to separable: lbfgs needs more than sklearn's 100 steps
    return LogisticRegression(max_iter=5000, class_weight=class_weight, random_state=random_state)


def _random_forest(*, class_weight: str | None, random_state: int):
    return RandomForestClassifier(n_estimators=200, class_weight=class_weight, n_jobs=2, random_state=random_state)


CLASSIFIERS: dict[str, Callable[..., object]] = {
    "logreg": _logistic_regression,
    "random_forest": _random_forest,
}


def score_rare(true_labels: np.ndarray, predicted: np.ndarray, *, rare: str) -> dict[str, float]:
    """Rare-class F1, precision and recall, macro F1 and balanced accuracy over the labels of `true_labels`.

    Labels predicted but absent from `true_labels` count as errors, never as classes, so a label held only
    in training cannot raise the macro scores.
    """
    present = np.unique(true_labels)
    precision, recall, f1, _ = precision_recall_fscore_support(
        true_labels, predicted, labels=present, zero_division=0.0
    )
    rare_position = int(np.flatnonzero(present == rare)[0])
    return {
        "rare_f1": float(f1[rare_position]),
        "rare_precision": float(precision[rare_position]),
        "rare_recall": float(recall[rare_position]),
        "macro_f1": float(f1.mean()),
        "balanced_accuracy": float(recall.mean()),
    }


def fit_and_score(
    training: TrainingSet,
    test_features: np.ndarray,
    test_labels: np.ndarray,
    *,
    classifier: str,
    rare: str,
    random_state: int,
) -> dict[str, float]:
    """Fit the named classifier on `training` and score it on real test cells."""
    model = CLASSIFIERS[classifier](class_weight=training.class_weight, random_state=random_state)
    model.fit(training.features, training.labels)
    return score_rare(test_labels, model.predict(test_features), rare=rare)
