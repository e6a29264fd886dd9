"""Command line: the notebook pipeline for people outside notebooks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def _demo(args: argparse.Namespace) -> int:
    from scgan import datasets, pp

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("scgan demo: loading the embedded pbmc68k data (700 cells x 765 genes)", flush=True)
    adata = datasets.pbmc68k()
    pp.check_counts(adata)
    pp.prepare(adata, n_top_genes=args.n_top_genes)
    pp.split(adata, "cell_type", test_size=0.3, random_state=args.random_state)
    counts = adata.obs.groupby(["cell_type", "scgan_split"], observed=False).size().unstack()
    print(counts.to_string(), flush=True)
    adata.write_h5ad(out / "real_prepared.h5ad")
    print(
        f"wrote {out / 'real_prepared.h5ad'} ({adata.n_obs} cells x {adata.n_vars} genes, "
        f"median library size {np.median(np.asarray(adata.X.sum(1))):.0f})"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The `scgan` argument parser with its sub-commands."""
    parser = argparse.ArgumentParser(prog="scgan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole pipeline on the embedded pbmc68k data")
    demo.add_argument("--out", default="scgan_demo", help="output folder (created)")
    demo.add_argument("--n-top-genes", type=int, default=765, help="highly variable genes to keep")
    demo.add_argument("--random-state", type=int, default=0)
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `scgan` command."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
