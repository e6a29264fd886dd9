"""The oversampling arms: one function per arm, registered by name in `ARMS`.

An arm takes a :class:`Fold` (and, if it has any, its options as keyword arguments) and returns the training
set of each feature space. Adding an arm is one function here and one line in `ARMS`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
from anndata import AnnData

from scgan.benchmark._fold import Fold, Generator
from scgan.benchmark._scvi import scvi_samples
from scgan.metrics._oversampling import (
    TrainingSet,
    oversample_class_weight,
    oversample_none,
    oversample_random,
    oversample_smote,
    poisson_floor,
)

Arm = Callable[..., dict[str, TrainingSet]]


def no_oversampling(fold: Fold) -> dict[str, TrainingSet]:
    """``none``: the classifier sees the imbalanced training set."""
    return fold.resampled(oversample_none)


def class_weights(fold: Fold) -> dict[str, TrainingSet]:
    """``class_weight``: no new cells; the classifier uses ``class_weight="balanced"``."""
    return fold.resampled(oversample_class_weight)


def random_oversampling(fold: Fold) -> dict[str, TrainingSet]:
    """``random``: imbalanced-learn's `RandomOverSampler`, duplicates of rare training cells in feature space."""
    return fold.resampled(oversample_random)


def smote(fold: Fold) -> dict[str, TrainingSet]:
    """``smote``: imbalanced-learn's `SMOTE` with ``k_neighbors=min(5, n_rare - 1)``, in feature space."""
    return fold.resampled(oversample_smote)


def poisson_floor_cells(fold: Fold) -> dict[str, TrainingSet]:
    """``floor``: Poisson counts of the rare training cells' pooled profile, their library sizes resampled."""

    def generate(train_adata: AnnData, label: str, n_cells: int) -> AnnData:
        rare_counts = train_adata.X[np.flatnonzero(train_adata.obs[fold.key].astype(str).to_numpy() == label)]
        counts = poisson_floor(rare_counts, n_cells, random_state=fold.random_state)
        return AnnData(X=counts, var=train_adata.var[[]].copy())

    return fold.with_generated(generate, name="floor")


def scvi_cells(fold: Fold, **options) -> dict[str, TrainingSet]:
    """``scvi``: :func:`scgan.benchmark.scvi_samples` of the rare label, the label a categorical covariate.

    `options` go to :func:`~scgan.benchmark.scvi_samples` (``max_epochs``, ``train_kwargs``, SCVI's own).
    """

    def generate(train_adata: AnnData, label: str, n_cells: int) -> AnnData:
        return scvi_samples(
            train_adata, key=fold.key, n_cells={label: n_cells}, random_state=fold.random_state, **options
        )

    return fold.with_generated(generate, name="scvi")


def scgan_cells(fold: Fold, **options) -> dict[str, TrainingSet]:
    """``scgan``: the user's recipe, :func:`scgan.tl.train` then :func:`scgan.tl.augment` of the rare label.

    The model is trained with the defaults unless `options` say otherwise; the arm keeps the synthetic cells of
    ``augment(train, model, key=..., target={rare: target})``.
    """
    from scgan.tl import augment, train

    def generate_cells(train_adata: AnnData, label: str, n_cells: int) -> AnnData:
        settings = {"enable_progress_bar": False, **options}
        model = train(train_adata, condition_key=fold.key, random_state=fold.random_state, **settings)
        # the rare type's real cells plus `n_cells` make `fold.target`
        topped_up = augment(
            train_adata, model, key=fold.key, target={label: fold.target}, random_state=fold.random_state
        )
        return topped_up[topped_up.obs["scgan_synthetic"].to_numpy()].copy()

    return fold.with_generated(generate_cells, name="scgan")


def generator_arm(generator: Generator, *, name: str) -> Arm:
    """An arm from a callable ``(train_adata, label, n_cells) -> AnnData`` of counts, such as `extra_methods`."""

    def arm(fold: Fold) -> dict[str, TrainingSet]:
        return fold.with_generated(generator, name=name)

    return arm


def takes_options(arm: Arm) -> bool:
    """Whether an arm accepts options (keyword arguments besides the fold)."""
    parameters = list(inspect.signature(arm).parameters.values())[1:]
    return any(p.kind in (p.VAR_KEYWORD, p.KEYWORD_ONLY) for p in parameters)


ARMS: dict[str, Arm] = {
    "none": no_oversampling,
    "class_weight": class_weights,
    "random": random_oversampling,
    "smote": smote,
    "floor": poisson_floor_cells,
    "scvi": scvi_cells,
    "scgan": scgan_cells,
}
