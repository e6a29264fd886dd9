"""Oversampling benchmark: does topping up a rare class help a classifier on held-out real cells."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from anndata import AnnData
from tqdm.auto import tqdm

from scgan._utils import categorical, check_nonempty, check_obs_key, get_matrix, to_csr
from scgan.metrics._oversampling import (
    CLASSIFIERS,
    FEATURE_SPACES,
    METRICS,
    RESAMPLERS,
    fit_and_score,
    poisson_floor,
    with_synthetic,
)
from scgan.model._scgan import DEFAULT_BATCH_SIZE
from scgan.pp._split import split_indices
from scgan.tl._features import hvg_names

UNS_KEY = "scgan_oversampling"
RESULT_COLUMNS = ["seed", "n_rare", "method", "classifier", "features", *METRICS, "n_synthetic"]
GROUP_COLUMNS = ["n_rare", "method", "classifier", "features"]
# scvi-tools' own epoch heuristic, min(20000 / n_cells * 400, 400), capped lower: one scVI per seed and n_rare
SCVI_MAX_EPOCHS_CAP = 100
# one GAN per seed and n_rare: a shorter schedule than scgan.tl.train's default (about 10,000 critic steps)
SCGAN_CRITIC_STEPS = 3_000

Generator = Callable[[AnnData, str, int], AnnData]


def _generate_floor(train_adata: AnnData, label: str, n_cells: int, *, key: str, random_state: int):
    rare_counts = train_adata.X[np.flatnonzero(train_adata.obs[key].astype(str).to_numpy() == label)]
    counts = poisson_floor(rare_counts, n_cells, random_state=random_state)
    return AnnData(X=counts, var=train_adata.var[[]].copy())


def _scvi_max_epochs(n_cells: int) -> int:
    """Default scVI epochs of the ``scvi`` arm: scvi-tools' heuristic for `n_cells`, capped at 100."""
    return int(min(round(20_000 / n_cells * 400), 400, SCVI_MAX_EPOCHS_CAP))


def _generate_scvi(
    train_adata: AnnData,
    label: str,
    n_cells: int,
    *,
    key: str,
    random_state: int,
    max_epochs: int | None = None,
    train_kwargs: Mapping | None = None,
    **model_kwargs,
):
    import scvi

    adata = train_adata.copy()
    # a covariate (unlike labels_key) reaches SCVI's decoder, so every sample is decoded as its own label
    scvi.model.SCVI.setup_anndata(adata, categorical_covariate_keys=[key])
    scvi.settings.seed = random_state
    model = scvi.model.SCVI(adata, **model_kwargs)
    train_kwargs = {"train_size": 1.0, "enable_progress_bar": False, **(train_kwargs or {})}
    if 0 < adata.n_obs % train_kwargs.get("batch_size", 128) < 3:
        # a last minibatch of one or two cells breaks scVI's batch norm; drop it (cells are reshuffled each epoch)
        train_kwargs["datasplitter_kwargs"] = {"drop_last": True, **train_kwargs.get("datasplitter_kwargs", {})}
    model.train(max_epochs=max_epochs or _scvi_max_epochs(adata.n_obs), **train_kwargs)
    rare_cells = np.flatnonzero(adata.obs[key].astype(str).to_numpy() == label)
    n_samples = math.ceil(n_cells / rare_cells.size)
    samples = np.asarray(model.posterior_predictive_sample(indices=rare_cells, n_samples=n_samples).todense())
    # (cells, genes, samples) -> one row per (sample, cell), so every rare cell is used as evenly as possible
    samples = samples.reshape(rare_cells.size, adata.n_vars, n_samples).transpose(2, 0, 1).reshape(-1, adata.n_vars)
    return AnnData(X=to_csr(np.rint(samples[:n_cells]).astype(np.int64)), var=train_adata.var[[]].copy())


def _scgan_max_epochs(n_cells: int, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Default epochs of the ``scgan`` arm: about 3,000 critic steps, a third of :func:`scgan.tl.train`'s default."""
    return max(50, round(SCGAN_CRITIC_STEPS / max(1, math.ceil(n_cells / batch_size))))


def _generate_scgan(train_adata: AnnData, label: str, n_cells: int, *, key: str, random_state: int, **model_kwargs):
    from scgan.tl import generate, train

    model_kwargs = {
        "max_epochs": _scgan_max_epochs(train_adata.n_obs, model_kwargs.get("batch_size", DEFAULT_BATCH_SIZE)),
        "enable_progress_bar": False,
        **model_kwargs,
    }
    model = train(train_adata, condition_key=key, random_state=random_state, **model_kwargs)
    return generate(model, {label: n_cells}, random_state=random_state)


GENERATORS: dict[str, Callable[..., AnnData]] = {
    "floor": _generate_floor,
    "scvi": _generate_scvi,
    "scgan": _generate_scgan,
}


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
    extra_methods: Mapping[str, Generator] | None = None,
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
        scvi-tools' `SCVI` trained on all training cells (HVGs) with the label as a categorical covariate;
        posterior predictive samples of the rare training cells, as integer counts. Trained for
        ``min(20000 / n_train_cells * 400, 400, 100)`` epochs (scvi-tools' heuristic, capped) unless
        ``model_kwargs={"scvi": {"max_epochs": ...}}`` says otherwise; seeded through ``scvi.settings.seed``.
    ``scgan``
        :func:`scgan.tl.train` on the training cells with ``condition_key=key`` and
        ``model_kwargs["scgan"]``, then :func:`scgan.tl.generate`. One GAN is trained per seed and `n_rare`, so
        the arm uses a shorter schedule than :func:`scgan.tl.train`'s default: about 3,000 critic steps
        (a third), unless ``model_kwargs={"scgan": {"max_epochs": ...}}`` says otherwise.

    Generator arms (``floor``, ``scvi``, ``scgan`` and `extra_methods`) produce counts, which are featurised
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
        For ``scvi``: ``max_epochs``, ``train_kwargs`` (passed to `SCVI.train`; default ``train_size=1.0``)
        and the rest to the `SCVI` constructor. For ``scgan``: passed to :func:`scgan.tl.train`.
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
    check_nonempty(adata)
    check_obs_key(adata, key)
    labels = categorical(adata.obs[key]).astype(str).to_numpy()
    names = sorted(set(labels))
    rare = str(rare)
    if rare not in names:
        msg = f"Label {rare!r} not found in adata.obs[{key!r}]. Available labels: {names}."
        raise ValueError(msg)
    n_rare = [n_rare] if isinstance(n_rare, int | np.integer) else [int(n) for n in n_rare]
    extra_methods = dict(extra_methods or {})
    arms = _check_choices(methods, [*RESAMPLERS, *GENERATORS], "method")
    clash = sorted(set(extra_methods) & (set(RESAMPLERS) | set(GENERATORS)))
    if clash:
        msg = f"extra_methods {clash} reuse built-in method names; give your arms other names."
        raise ValueError(msg)
    arms += list(extra_methods)
    if not arms:
        msg = f"Pass at least one method (known: {[*RESAMPLERS, *GENERATORS]}) or an extra_methods callable."
        raise ValueError(msg)
    classifiers = _check_choices(classifiers, list(CLASSIFIERS), "classifier")
    features = _check_choices(features, list(FEATURE_SPACES), "features")
    model_kwargs = dict(model_kwargs or {})
    unknown = sorted(set(model_kwargs) - set(GENERATORS))
    if unknown:
        msg = f"model_kwargs has keys {unknown}; it takes keyword arguments per generator arm: {list(GENERATORS)}."
        raise ValueError(msg)
    _check_numbers(n_rare=n_rare, n_seeds=n_seeds, test_size=test_size, target=target, n_top_genes=n_top_genes)
    counts = to_csr(get_matrix(adata, layer))

    seeds = [random_state + i for i in range(n_seeds)]
    splits = [split_indices(labels, test_size=test_size, random_state=seed) for seed in seeds]
    for train, test in splits:
        _check_rare_cells(labels, train, test, rare=rare, n_rare=n_rare)

    rows = []
    with tqdm(total=n_seeds * len(n_rare) * len(arms), desc="oversampling", disable=not progress) as bar:
        for seed, (train, test) in zip(seeds, splits, strict=True):
            rare_train = train[labels[train] == rare]
            rare_order = np.random.default_rng(seed).permutation(rare_train)
            for n_kept in n_rare:
                kept = np.sort(np.concatenate([train[labels[train] != rare], rare_order[:n_kept]]))
                train_adata = _training_cells(adata, counts, kept, layer=layer, n_top_genes=n_top_genes)
                genes = adata.var_names.get_indexer(train_adata.var_names)
                spaces = {name: FEATURE_SPACES[name](seed).fit(train_adata.X) for name in features}
                train_features = {name: space.transform(train_adata.X) for name, space in spaces.items()}
                test_features = {name: space.transform(counts[test][:, genes]) for name, space in spaces.items()}
                train_labels = labels[kept]
                n_target = _target_size(train_labels, target)
                for arm in arms:
                    bar.set_postfix_str(f"seed={seed} n_rare={n_kept} {arm}")
                    if arm in RESAMPLERS:
                        training = {
                            name: RESAMPLERS[arm](
                                train_features[name], train_labels, rare=rare, target=n_target, random_state=seed
                            )
                            for name in features
                        }
                    else:
                        generator = extra_methods.get(arm) or functools.partial(
                            GENERATORS[arm], key=key, random_state=seed, **model_kwargs.get(arm, {})
                        )
                        synthetic = _synthetic_counts(
                            generator, train_adata, rare, max(n_target - n_kept, 0), method=arm
                        )
                        training = {
                            name: with_synthetic(
                                train_features[name], train_labels, spaces[name].transform(synthetic), rare=rare
                            )
                            for name in features
                        }
                    for name in features:
                        for classifier in classifiers:
                            scores = fit_and_score(
                                training[name],
                                test_features[name],
                                labels[test],
                                classifier=classifier,
                                rare=rare,
                                random_state=seed,
                            )
                            rows.append(
                                {
                                    "seed": seed,
                                    "n_rare": n_kept,
                                    "method": arm,
                                    "classifier": classifier,
                                    "features": name,
                                    **scores,
                                    "n_synthetic": training[name].n_synthetic,
                                }
                            )
                    bar.update()

    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    params = {
        "key": key,
        "rare": rare,
        "n_rare": n_rare,
        "methods": arms,
        "classifiers": classifiers,
        "features": features,
        "n_seeds": n_seeds,
        "test_size": test_size,
        "target": target,
        "n_top_genes": n_top_genes,
        "layer": layer,
        "random_state": random_state,
        "model_kwargs": model_kwargs,
    }
    adata.uns[UNS_KEY] = {
        "results": _for_h5ad(results),
        "summary": _for_h5ad(summarize_oversampling(results)),
        "comparison": _for_h5ad(compare_oversampling(results, method="scgan")),
        "params": _h5ad_value(params),
    }
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
    scores = [*METRICS, "n_synthetic"]
    grouped = results.groupby(GROUP_COLUMNS, sort=False)[scores]
    summary = grouped.agg(["mean", "std"])
    summary.columns = [f"{score}_{stat}" for score, stat in summary.columns]
    summary["n_seeds"] = grouped.size()
    return summary.reset_index()


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
    columns = [
        "n_rare",
        "classifier",
        "features",
        "method",
        "best_other",
        "rare_f1",
        "best_other_rare_f1",
        "mean_difference",
        "std_difference",
        "n_seeds_won",
        "n_seeds",
    ]
    rows = []
    if method in set(results["method"]):
        for (n_kept, classifier, name), group in results.groupby(["n_rare", "classifier", "features"], sort=False):
            others = group[group["method"] != method]
            if others.empty:
                continue
            best_other = others.groupby("method", sort=False)["rare_f1"].mean().idxmax()
            paired = pd.merge(
                group.loc[group["method"] == method, ["seed", "rare_f1"]],
                group.loc[group["method"] == best_other, ["seed", "rare_f1"]],
                on="seed",
                suffixes=("", "_other"),
            )
            difference = paired["rare_f1"] - paired["rare_f1_other"]
            rows.append(
                {
                    "n_rare": n_kept,
                    "classifier": classifier,
                    "features": name,
                    "method": method,
                    "best_other": best_other,
                    "rare_f1": paired["rare_f1"].mean(),
                    "best_other_rare_f1": paired["rare_f1_other"].mean(),
                    "mean_difference": difference.mean(),
                    "std_difference": difference.std(),
                    "n_seeds_won": int((difference > 0).sum()),
                    "n_seeds": len(paired),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _check_choices(chosen: Sequence[str], known: list[str], what: str) -> list[str]:
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        msg = f"Unknown {what} {unknown}. Known: {known}."
        raise ValueError(msg)
    return chosen


def _check_numbers(*, n_rare: list[int], n_seeds: int, test_size: float, target: str | int, n_top_genes: int) -> None:
    if not n_rare or min(n_rare) < 1:
        msg = f"n_rare must be one or more positive numbers of rare training cells, got {n_rare}."
        raise ValueError(msg)
    if n_seeds < 1:
        msg = f"n_seeds must be at least 1, got {n_seeds}."
        raise ValueError(msg)
    if not 0 < test_size < 1:
        msg = f"test_size must be between 0 and 1 (a fraction of cells), got {test_size}."
        raise ValueError(msg)
    if not (target == "median" or (isinstance(target, int | np.integer) and target >= 1)):
        msg = f"target must be 'median' or a positive number of cells, got {target!r}."
        raise ValueError(msg)
    if n_top_genes < 1:
        msg = f"n_top_genes must be at least 1, got {n_top_genes}."
        raise ValueError(msg)


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


def _training_cells(adata: AnnData, counts, kept: np.ndarray, *, layer: str | None, n_top_genes: int) -> AnnData:
    """The kept training cells on the HVGs chosen from them, counts in `.X`."""
    genes = adata.var_names.get_indexer(hvg_names(adata[kept], n_top_genes=n_top_genes, layer=layer))
    return AnnData(X=counts[kept][:, genes], obs=adata.obs.iloc[kept].copy(), var=adata.var.iloc[genes].copy())


def _target_size(train_labels: np.ndarray, target: str | int) -> int:
    if target == "median":
        _, sizes = np.unique(train_labels, return_counts=True)
        return round(float(np.median(sizes)))
    return int(target)


def _synthetic_counts(generator: Generator, train_adata: AnnData, rare: str, n_cells: int, *, method: str):
    """Counts of `n_cells` generated cells on the genes of `train_adata`, checked."""
    if n_cells == 0:
        return to_csr(np.zeros((0, train_adata.n_vars), dtype=np.int64))
    synthetic = generator(train_adata.copy(), rare, n_cells)
    if not isinstance(synthetic, AnnData) or synthetic.n_obs != n_cells:
        got = f"{synthetic.n_obs} cells" if isinstance(synthetic, AnnData) else type(synthetic).__name__
        msg = f"Method {method!r} must return an AnnData of {n_cells} cells, got {got}."
        raise ValueError(msg)
    genes = synthetic.var_names.get_indexer(train_adata.var_names)
    if np.any(genes < 0):
        missing = list(train_adata.var_names[genes < 0][:5])
        msg = f"Method {method!r} returned cells without the training genes (e.g. {missing}); return all of them."
        raise ValueError(msg)
    return to_csr(synthetic.X)[:, genes]


def _h5ad_value(value):
    """Parameters in a form h5ad can store: no None, lists for sequences, strings for anything else."""
    if isinstance(value, Mapping):
        return {str(name): _h5ad_value(item) for name, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_h5ad_value(item) for item in value]
    if isinstance(value, str | bool | int | float | np.integer | np.floating):
        return value
    return repr(value)


def _for_h5ad(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table.index = table.index.astype(str)
    return table
