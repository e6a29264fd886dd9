"""Oversampling benchmark: does topping up a rare class help a classifier on held-out real cells."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from anndata import AnnData

from scgan import benchmark

UNS_KEY = "scgan_oversampling"


def benchmark_oversampling(
    adata: AnnData,
    *,
    key: str,
    rare: str,
    n_rare: int | Sequence[int] = (10, 20),
    methods: Sequence[str] = ("none", "class_weight", "random", "smote", "floor", "scvi", "scgan"),
    classifiers: Sequence[str] = ("logreg", "random_forest"),
    features: Sequence[str] = ("pca", "hvg"),
    n_seeds: int = 5,
    test_size: float = 0.3,
    target: str | int = "median",
    n_top_genes: int = 2000,
    layer: str | None = None,
    random_state: int = 0,
    model_kwargs: Mapping[str, Mapping] | None = None,
    extra_methods: Mapping[str, Callable[[AnnData, str, int], AnnData]] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Benchmark oversampling arms: does topping up a rare class help a classifier on held-out real cells.

    For each seed (``random_state + i``) the cells are split into a stratified real train and test set. In
    train only, the `rare` class is downsampled to each `n_rare` (the removed cells are discarded, never
    tested; smaller `n_rare` are subsets of larger ones). Everything that is fitted sees only these training
    cells: the highly variable genes, the feature spaces, SMOTE, the generators and the classifiers. Each arm
    then tops the rare class up to `target` cells, and each classifier is scored on the untouched real test
    set in each feature space:

    ``pca``
        PCA-50 of log1p counts per 10k of the training HVGs, fitted on real training cells.
    ``hvg``
        Log1p counts per 10k of the training HVGs, z-scored per gene with a scaler fitted on real training
        cells and clipped at ±10.

    Arms (`methods`):

    ``none``
        No augmentation.
    ``class_weight``
        No new cells; the classifier uses ``class_weight="balanced"``.
    ``random``
        imbalanced-learn's `RandomOverSampler`: duplicates of rare training cells, in feature space.
    ``smote``
        imbalanced-learn's `SMOTE` with ``k_neighbors=min(5, n_rare - 1)``, in feature space.
    ``floor``
        Poisson counts from the rare training cells' pooled expression profile, with library sizes resampled
        from them: no cell-to-cell variation beyond library size. A generator worth using beats it.
    ``scvi``
        :func:`scgan.benchmark.scvi_samples`: scvi-tools' `SCVI` trained on the training cells (HVGs) with the
        label as a categorical covariate, at scvi-tools' default settings and epochs unless
        ``model_kwargs={"scvi": {"max_epochs": ...}}`` says otherwise; posterior predictive samples of the rare
        training cells (each used once before any twice), as integer counts; seeded through ``scvi.settings.seed``.
    ``scgan``
        :func:`scgan.tl.train` on the training cells with ``condition_key=key`` and
        ``model_kwargs["scgan"]`` (:func:`scgan.tl.train`'s defaults otherwise), then
        ``scgan.tl.augment(train, model, key=key, target={rare: target})``; one GAN per seed and `n_rare`.

    The arms are registered in :data:`scgan.benchmark.ARMS`. Generator arms (``floor``, ``scvi``, ``scgan`` and
    `extra_methods`) produce counts, which are featurised
    exactly like real cells (same HVGs, same PCA and scaler fitted on real training cells) and added to the
    training set with the rare label.

    Parameters
    ----------
    adata
        Annotated data matrix of raw counts.
    key
        `.obs` column of the class labels, e.g. ``"cell_type"``.
    rare
        The label to downsample and top up.
    n_rare
        Number(s) of rare cells kept in train.
    methods
        Arms to run, from ``"none"``, ``"class_weight"``, ``"random"``, ``"smote"``, ``"floor"``, ``"scvi"``,
        ``"scgan"``.
    classifiers
        Classifiers to score, from ``"logreg"`` (logistic regression) and ``"random_forest"`` (200 trees).
    features
        Feature spaces, from ``"pca"`` and ``"hvg"``.
    n_seeds
        Number of splits (seeds ``random_state`` ... ``random_state + n_seeds - 1``).
    test_size
        Fraction of cells of each label held out as the real test set.
    target
        Rare-class size after oversampling: ``"median"`` (the median class size in train, after
        downsampling) or a number of cells.
    n_top_genes
        Highly variable genes (seurat_v3, training cells only) the features and generators use.
    layer
        Layer holding the counts; `None` for `.X`.
    random_state
        First seed.
    model_kwargs
        Keyword arguments per generator arm, e.g. ``{"scvi": {"max_epochs": 50}, "scgan": {"max_epochs": 100}}``.
        For ``scvi``: ``max_epochs``, ``train_kwargs`` (passed to `SCVI.train`) and the rest to the `SCVI`
        constructor (see :func:`scgan.benchmark.train_scvi`). For ``scgan``: passed to :func:`scgan.tl.train`.
    extra_methods
        Your own generator arms, by name: callables ``(train_adata, label, n_cells) -> AnnData`` that return
        `n_cells` cells of counts in `.X` for (at least) the genes of `train_adata`. `train_adata` holds the
        training cells (HVGs only, counts in `.X`, the label in ``.obs[key]``). They run after `methods`.
    progress
        Show a progress bar over seeds x `n_rare` x arms.

    Returns
    -------
    The tidy results: one row per seed x `n_rare` x method x classifier x features, with columns ``seed``,
    ``n_rare``, ``method``, ``classifier``, ``features``, ``rare_f1``, ``rare_precision``, ``rare_recall``,
    ``macro_f1``, ``balanced_accuracy`` (floats, on the real test set) and ``n_synthetic`` (cells the arm
    added to the rare class). Writes

    `.uns['scgan_oversampling']`
        A dict with ``'results'`` (that table), ``'summary'`` (:func:`summarize_oversampling`),
        ``'comparison'`` (:func:`compare_oversampling` of ``"scgan"``; empty without that arm) and
        ``'params'`` (the parameters used).
    """
    results = benchmark.oversampling(
        adata,
        key=key,
        rare=rare,
        n_rare=n_rare,
        methods=methods,
        classifiers=classifiers,
        features=features,
        n_seeds=n_seeds,
        test_size=test_size,
        target=target,
        n_top_genes=n_top_genes,
        layer=layer,
        random_state=random_state,
        model_kwargs=model_kwargs,
        extra_methods=extra_methods,
        progress=progress,
    )
    adata.uns[UNS_KEY] = benchmark.h5ad_record(results)
    return results


def summarize_oversampling(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of each score, per n_rare x method x classifier x features.

    Parameters
    ----------
    results
        The tidy table returned by :func:`benchmark_oversampling`.

    Returns
    -------
    One row per n_rare x method x classifier x features (in the order of `results`), with ``<score>_mean``
    and ``<score>_std`` (sample standard deviation; NaN for one seed) for every score and ``n_synthetic``,
    and ``n_seeds``.
    """
    return benchmark.summarize(results)


def compare_oversampling(results: pd.DataFrame, method: str = "scgan") -> pd.DataFrame:
    """Pair `method` with the best other arm, seed by seed, per n_rare x classifier x features.

    The best other arm is the one with the highest mean rare-class F1 over seeds; differences are paired
    (`method` minus that arm, on the same split).

    Parameters
    ----------
    results
        The tidy table returned by :func:`benchmark_oversampling`.
    method
        The arm to compare.

    Returns
    -------
    One row per n_rare x classifier x features with ``method``, ``best_other``, ``rare_f1`` (mean of
    `method`), ``best_other_rare_f1`` (mean of the best other arm), ``mean_difference`` and
    ``std_difference`` (of the paired rare-F1 differences), ``n_seeds_won`` (seeds where `method` is
    strictly better) and ``n_seeds``. Empty when `method` is not in `results`.
    """
    return benchmark.compare(results, method=method)
