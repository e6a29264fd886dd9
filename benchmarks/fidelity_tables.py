"""Full fidelity tables (scgan.tl.evaluate) of scgan and scVI cells next to the real-vs-real reference.

    python benchmarks/fidelity_tables.py --data ../shared/data/kang_ifnb.h5ad --out benchmarks/results/kang

70/30 split stratified by cell type; scgan (defaults) and scVI (label as covariate, scvi-tools' default
epochs) are trained on the training cells only; as many cells per type as the test split has are generated;
`tl.evaluate(test, synthetic, reference=train)` scores each. Writes one CSV per generator and prints the
overall rows side by side.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

import scgan


def scvi_cells(train: ad.AnnData, wanted: dict[str, int], *, key: str, seed: int) -> ad.AnnData:
    """Posterior predictive samples of training cells of each label, as integer counts."""
    import scvi

    data = train.copy()
    scvi.model.SCVI.setup_anndata(data, categorical_covariate_keys=[key])
    scvi.settings.seed = seed
    model = scvi.model.SCVI(data)
    model.train(enable_progress_bar=False)
    labels = data.obs[key].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    indices = np.concatenate([rng.choice(np.flatnonzero(labels == k), n) for k, n in wanted.items()])
    samples = model.posterior_predictive_sample(indices=indices, n_samples=1)
    counts = sp.csr_matrix(np.rint(np.asarray(samples.todense())).astype(np.int32))
    obs = pd.DataFrame({key: pd.Categorical(labels[indices])}, index=[f"scvi_{i}" for i in range(len(indices))])
    return ad.AnnData(X=counts, obs=obs, var=train.var[[]].copy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--key", default="cell_type")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="prefix of the CSV files")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    adata = ad.read_h5ad(args.data)
    scgan.pp.split(adata, args.key, test_size=0.3, random_state=args.seed)
    train = adata[adata.obs["scgan_split"] == "train"].copy()
    scgan.pp.prepare(train, n_top_genes=2000)
    test = adata[adata.obs["scgan_split"] == "test", train.var_names].copy()
    wanted = test.obs[args.key].astype(str).value_counts().to_dict()

    model = scgan.tl.train(train, condition_key=args.key, random_state=args.seed, enable_progress_bar=False)
    generated = {
        "scgan": scgan.tl.generate(model, wanted, random_state=args.seed),
        "scvi": scvi_cells(train, wanted, key=args.key, seed=args.seed),
    }
    overall = {}
    for name, synthetic in generated.items():
        table = scgan.tl.evaluate(test, synthetic, key=args.key, reference=train, random_state=args.seed)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(f"{args.out}_fidelity_{name}.csv", index=False)
        overall[name] = table[table["label"] == "all"].set_index("metric")
    side = pd.DataFrame(
        {
            "scgan": overall["scgan"]["synthetic"],
            "scVI": overall["scvi"]["synthetic"],
            "real vs real": overall["scgan"]["reference"],
            "ideal": overall["scgan"]["ideal"],
        }
    )
    print(side.round(3).to_markdown())


if __name__ == "__main__":
    main()
