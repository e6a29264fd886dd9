"""The oversampling harness: split, downsample the rare class in train, featurise, run each arm, score."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from anndata import AnnData
from tqdm.auto import tqdm

from scgan._utils import categorical, get_matrix, to_csr
from scgan.benchmark._fold import Fold
from scgan.benchmark._setup import Setup, check_setup
from scgan.metrics._oversampling import FEATURE_SPACES, METRICS, TrainingSet, fit_and_score
from scgan.pp._split import split_indices
from scgan.tl._features import hvg_names

RESULT_COLUMNS = ["seed", "n_rare", "method", "classifier", "features", *METRICS, "n_synthetic"]


@dataclass(frozen=True)
class HeldOut:
    """The untouched real test cells of one fold, in each of its feature spaces."""

    features: dict[str, np.ndarray]
    labels: np.ndarray


def oversampling(adata: AnnData, *, progress: bool, **settings) -> pd.DataFrame:
    """Run the oversampling benchmark: every arm, classifier and feature space on every seed and `n_rare`.

    The machinery behind :func:`scgan.tl.benchmark_oversampling`, which documents the arms and parameters and
    holds their defaults (every parameter is required here); this function writes nothing to `adata`.

    Parameters
    ----------
    adata
        As for :func:`scgan.tl.benchmark_oversampling`.
    progress
        Show a progress bar over seeds x `n_rare` x arms.
    **settings
        ``key``, ``rare``, ``n_rare``, ``methods``, ``classifiers``, ``features``, ``n_seeds``, ``test_size``,
        ``target``, ``n_top_genes``, ``layer``, ``random_state``, ``model_kwargs`` and ``extra_methods``, as for
        :func:`scgan.tl.benchmark_oversampling`; `methods` are names in :data:`scgan.benchmark.ARMS` and
        `model_kwargs` holds the options of arms that take them.

    Returns
    -------
    The tidy results of :func:`scgan.tl.benchmark_oversampling`, with the checked parameters in
    ``results.attrs['params']``.
    """
    setup = check_setup(adata, **settings)
    counts = to_csr(get_matrix(adata, setup.layer))
    labels = categorical(adata.obs[setup.key]).astype(str).to_numpy()
    splits = {seed: split_indices(labels, test_size=setup.test_size, random_state=seed) for seed in setup.seeds}
    for train, test in splits.values():
        _check_rare_cells(labels, train, test, rare=setup.rare, n_rare=setup.n_rare)

    rows = []
    total = len(splits) * len(setup.n_rare) * len(setup.arms)
    with tqdm(total=total, desc="oversampling", disable=not progress) as bar:
        for (seed, (train, test)), n_kept in product(splits.items(), setup.n_rare):
            kept = downsample_rare(train, labels, rare=setup.rare, n_kept=n_kept, random_state=seed)
            fold = make_fold(adata, counts, labels, kept, setup=setup, random_state=seed)
            held_out = featurise_test(adata, counts, labels, test, fold=fold)
            rows += _score_arms(fold, held_out, setup=setup, n_kept=n_kept, bar=bar)
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    results.attrs["params"] = setup.params()
    return results


def downsample_rare(train: np.ndarray, labels: np.ndarray, *, rare: str, n_kept: int, random_state: int) -> np.ndarray:
    """Training rows with only `n_kept` cells of `rare`; for one seed, smaller `n_kept` keep subsets of larger."""
    rare_order = np.random.default_rng(random_state).permutation(train[labels[train] == rare])
    return np.sort(np.concatenate([train[labels[train] != rare], rare_order[:n_kept]]))


def make_fold(adata: AnnData, counts, labels: np.ndarray, kept: np.ndarray, *, setup: Setup, random_state: int) -> Fold:
    """The fold of the kept training cells: HVGs and feature spaces fitted on them alone."""
    genes = adata.var_names.get_indexer(hvg_names(adata[kept], n_top_genes=setup.n_top_genes, layer=setup.layer))
    train_adata = AnnData(X=counts[kept][:, genes], obs=adata.obs.iloc[kept].copy(), var=adata.var.iloc[genes].copy())
    spaces = {name: FEATURE_SPACES[name](random_state).fit(train_adata.X) for name in setup.features}
    return Fold(
        adata=train_adata,
        key=setup.key,
        rare=setup.rare,
        target=_target_size(labels[kept], setup.target),
        random_state=random_state,
        spaces=spaces,
        features={name: space.transform(train_adata.X) for name, space in spaces.items()},
        labels=labels[kept],
    )


def featurise_test(adata: AnnData, counts, labels: np.ndarray, test: np.ndarray, *, fold: Fold) -> HeldOut:
    """The test cells on the fold's genes, in the fold's feature spaces."""
    test_counts = counts[test][:, adata.var_names.get_indexer(fold.adata.var_names)]
    return HeldOut({name: space.transform(test_counts) for name, space in fold.spaces.items()}, labels[test])


def _score_arms(fold: Fold, held_out: HeldOut, *, setup: Setup, n_kept: int, bar) -> list[dict]:
    """One row per arm x feature space x classifier, scored on the held-out cells."""
    rows = []
    for name, arm in setup.arms.items():
        bar.set_postfix_str(f"seed={fold.random_state} n_rare={n_kept} {name}")
        training = arm(fold)
        for space, classifier in product(setup.features, setup.classifiers):
            scores = _score(training[space], held_out, space=space, classifier=classifier, fold=fold)
            row = {"seed": fold.random_state, "n_rare": n_kept, "method": name, "classifier": classifier}
            rows.append(row | {"features": space, **scores, "n_synthetic": training[space].n_synthetic})
        bar.update()
    return rows


def _score(training: TrainingSet, held_out: HeldOut, *, space: str, classifier: str, fold: Fold) -> dict[str, float]:
    return fit_and_score(
        training,
        held_out.features[space],
        held_out.labels,
        classifier=classifier,
        rare=fold.rare,
        random_state=fold.random_state,
    )


def _check_rare_cells(labels: np.ndarray, train: np.ndarray, test: np.ndarray, *, rare: str, n_rare: list[int]):
    n_train = int(np.sum(labels[train] == rare))
    if max(n_rare) > n_train:
        msg = (
            f"n_rare={max(n_rare)} exceeds the {n_train} cells of {rare!r} in a training split "
            f"(test_size of {np.sum(labels == rare)} cells held out); pass smaller n_rare or test_size."
        )
        raise ValueError(msg)
    if not np.any(labels[test] == rare):
        msg = f"No cell of {rare!r} reaches the test set; it needs at least 2 cells."
        raise ValueError(msg)


def _target_size(train_labels: np.ndarray, target: str | int) -> int:
    if target == "median":
        _, sizes = np.unique(train_labels, return_counts=True)
        return round(float(np.median(sizes)))
    return int(target)
