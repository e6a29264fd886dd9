"""Held-out fidelity of scgan (and optionally scVI) on pbmc3k: the acceptance test of the GAN.

2000 HVGs chosen on the training cells, 30% of cells held out (stratified by cell type), as many synthetic
cells per label as the held-out set has; a random forest (500 trees, 5-fold CV) on PCA-50 (fitted on the real
training cells, log1p counts per 10k) tells synthetic from held-out real cells.

    python benchmarks/fidelity_pbmc3k.py [--scvi] [--epochs N] [--set count_head=nb ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import scipy.sparse as sp

import scgan
from scgan.metrics import cell_ks, classifier_auroc
from scgan.metrics._features import PCASpace

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pbmc3k_labeled.h5ad"


def _value(text: str):
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    if "," in text:
        return [_value(part) for part in text.split(",")]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def model_options(settings: list[str]) -> dict:
    """`--set` pairs (``count_head=nb``) as keyword arguments, values cast by :func:`_value`."""
    bad = [item for item in settings if "=" not in item]
    if bad:
        raise SystemExit(f"--set takes OPTION=VALUE pairs, got {bad}")
    return {k: _value(v) for k, v in (item.split("=", 1) for item in settings)}


def held_out_scores(pca: PCASpace, test: ad.AnnData, syn_counts, syn_labels, *, key: str, seed: int) -> dict:
    """AUROC overall and per label, plus library-size and zero-fraction KS, synthetic vs held-out real."""
    real = pca.transform(test.X)
    fake = pca.transform(syn_counts)
    labels = test.obs[key].astype(str).to_numpy()
    out = {"auroc": classifier_auroc(real, fake, n_estimators=500, random_state=seed)}
    out.update(cell_ks(test.X, syn_counts))
    out["per_label"] = {
        label: classifier_auroc(real[labels == label], fake[syn_labels == label], n_estimators=500, random_state=seed)
        for label in np.unique(labels)
    }
    return out


def scvi_samples(train: ad.AnnData, key: str, wanted: dict[str, int], *, seed: int):
    """scVI (default settings) trained on `train`; posterior predictive counts of `wanted[label]` training cells
    of each label of `key`, drawn with replacement. Returns the counts (CSR), their labels and the training time.
    """
    import scvi

    scvi.settings.seed = seed  # its training too, so a rerun gives the same samples
    train = train.copy()
    scvi.model.SCVI.setup_anndata(train, labels_key=key)
    vae = scvi.model.SCVI(train)
    start = time.perf_counter()
    vae.train(enable_progress_bar=False)
    seconds = time.perf_counter() - start
    labels = train.obs[key].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    indices = np.concatenate([rng.choice(np.flatnonzero(labels == k), n) for k, n in wanted.items()])
    samples = vae.posterior_predictive_sample(indices=indices, n_samples=1)
    samples = sp.csr_matrix(samples.todense() if hasattr(samples, "todense") else np.asarray(samples))
    return samples, labels[indices], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=None, help="max_epochs (default: scgan's default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scvi", action="store_true", help="also score scVI posterior predictive samples")
    parser.add_argument("--reference", action="store_true", help="also score real vs real (held-out halves)")
    parser.add_argument(
        "--generation-seeds", type=int, default=3, help="synthetic samples drawn from the trained model and scored"
    )
    parser.add_argument("--set", nargs="*", default=[], help="model options, e.g. count_head=nb n_critic=5")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    options = model_options(args.set)
    warnings.filterwarnings("ignore")

    adata = ad.read_h5ad(DATA)
    scgan.pp.split(adata, "cell_type", test_size=0.3, random_state=args.seed)
    train = adata[adata.obs["scgan_split"] == "train"].copy()
    scgan.pp.prepare(train, n_top_genes=2000)
    test = adata[adata.obs["scgan_split"] == "test", train.var_names].copy()
    pca = PCASpace(50, random_state=args.seed).fit(train.X)
    wanted = test.obs["cell_type"].astype(str).value_counts().to_dict()
    results = {"settings": dict(s.split("=", 1) for s in args.set), "epochs": args.epochs, "seed": args.seed}

    if args.reference:
        labels = test.obs["cell_type"].astype(str).to_numpy()
        half_a, half_b = scgan.pp._split.split_indices(labels, test_size=0.5, random_state=args.seed)
        results["real_vs_real"] = held_out_scores(
            pca, test[half_a], test.X[half_b], labels[half_b], key="cell_type", seed=args.seed
        )
        print("real vs real", json.dumps(results["real_vs_real"], indent=1), flush=True)

    start = time.perf_counter()
    model = scgan.tl.train(train, condition_key="cell_type", max_epochs=args.epochs, random_state=args.seed, **options)
    results["train_seconds"] = time.perf_counter() - start
    results["epochs_trained"] = int(model.history["critic_loss"].shape[0])
    results["best_epoch"] = model.best_epoch
    if "validation_mmd" in model.history:
        results["validation_mmd"] = model.history["validation_mmd"].to_numpy(dtype=float).ravel().round(4).tolist()
    syn = scgan.tl.generate(model, wanted, random_state=args.seed)
    results["scgan"] = held_out_scores(
        pca, test, syn.X, syn.obs["cell_type"].astype(str).to_numpy(), key="cell_type", seed=args.seed
    )
    # the same generator, fresh synthetic cells: how much the AUROC moves with the sample alone
    repeats = [results["scgan"]["auroc"]]
    real = pca.transform(test.X)
    for extra in range(1, args.generation_seeds):
        resample = scgan.tl.generate(model, wanted, random_state=args.seed + 1000 * extra)
        fake = pca.transform(resample.X)
        repeats.append(classifier_auroc(real, fake, n_estimators=500, random_state=args.seed + extra))
    results["scgan"]["auroc_generation_seeds"] = repeats
    print("scgan", json.dumps(results["scgan"], indent=1), f"train {results['train_seconds']:.0f}s", flush=True)

    if args.scvi:
        samples, labels, results["scvi_train_seconds"] = scvi_samples(train, "cell_type", wanted, seed=args.seed)
        results["scvi"] = held_out_scores(pca, test, samples, labels, key="cell_type", seed=args.seed)
        print("scvi", json.dumps(results["scvi"], indent=1), flush=True)

    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
