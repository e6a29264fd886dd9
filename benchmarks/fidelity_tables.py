"""Full fidelity tables (scgan.tl.evaluate) of scgan and scVI cells next to the real-vs-real reference.

    python benchmarks/fidelity_tables.py [--data ../shared/data/kang_ifnb.h5ad] [--key cell_type] \
        --out benchmarks/results/kang

70/30 split stratified by `--key`, 2000 HVGs chosen on the training cells; scgan (defaults) and scVI
(scgan.benchmark.scvi_samples: the label a categorical covariate, scvi-tools' default epochs) are trained on
the training cells only; as many cells per label as the test split has are generated;
`tl.evaluate(test, synthetic, reference=train)` scores each. Writes one CSV per generator and prints the
overall rows side by side.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import scgan
from scgan import benchmark

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pbmc3k_labeled.h5ad"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="h5ad file of counts (default: %(default)s)")
    parser.add_argument("--key", default="cell_type")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="prefix of the CSV files")
    args = parser.parse_args()
    adata = benchmark.read_data(args.data)
    warnings.filterwarnings("ignore")

    train, test = benchmark.held_out_split(adata, key=args.key, random_state=args.seed)
    wanted = test.obs[args.key].astype(str).value_counts().to_dict()
    model = scgan.tl.train(train, condition_key=args.key, random_state=args.seed, enable_progress_bar=False)
    generated = {
        "scgan": scgan.tl.generate(model, wanted, random_state=args.seed),
        "scvi": benchmark.scvi_samples(train, key=args.key, n_cells=wanted, random_state=args.seed),
    }
    overall = {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for name, synthetic in generated.items():
        table = scgan.tl.evaluate(test, synthetic, key=args.key, reference=train, random_state=args.seed)
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
