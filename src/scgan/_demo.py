"""The `scgan demo` pipeline: the whole job on the embedded pbmc68k data, written to one folder."""

from __future__ import annotations

import html
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from scgan import datasets, pl, pp, tl

RARE = "CD56+ NK"
# per label, synthetic next to real vs real: what a biologist checks before trusting synthetic cells
BIOLOGY = ("de_lfc_pearson", "de_sign_agreement", "recall", "coverage", "program_corr", "memorisation_ratio")
# a short, fixed schedule so the demo ends in minutes on a laptop CPU (see the docs for full-length numbers)
DEMO_EPOCHS = 600
BENCHMARK_EPOCHS = 300


class _Log:
    """Timestamped progress lines."""

    def __init__(self):
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.start:6.0f}s] {message}", flush=True)


def _figure(fig, out: Path, name: str) -> str:
    fig.savefig(out / name, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return name


def _table_html(table: pd.DataFrame) -> str:
    return table.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0, classes="table", na_rep="–")


def run_demo(
    out: str | Path,
    *,
    max_epochs: int = DEMO_EPOCHS,
    benchmark_epochs: int = BENCHMARK_EPOCHS,
    n_seeds: int = 2,
    random_state: int = 0,
) -> Path:
    """Prepare, split, train, generate, evaluate, benchmark oversampling and plot; write everything to `out`.

    Parameters
    ----------
    out
        Output folder (created).
    max_epochs
        Epochs of the main model.
    benchmark_epochs
        Epochs of each GAN inside the oversampling benchmark.
    n_seeds
        Seeds of the oversampling benchmark.
    random_state
        Seed of the split, the models and the sampling.

    Returns
    -------
    Path of the written ``report.html``. The folder also holds ``synthetic.h5ad``, ``model/``,
    ``fidelity.csv``, ``oversampling.csv``, ``oversampling_summary.csv`` and the figures as PNG.
    """
    log = _Log()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log("loading the embedded pbmc68k data: 700 real 10x PBMCs, counts recovered from scanpy's copy")
    adata = datasets.pbmc68k()
    pp.check_counts(adata)
    pp.prepare(adata, n_top_genes=adata.n_vars)
    pp.split(adata, "cell_type", test_size=0.3, random_state=random_state)
    train = adata[adata.obs["scgan_split"] == "train"].copy()
    test = adata[adata.obs["scgan_split"] == "test"].copy()
    log(f"split: {train.n_obs} training cells, {test.n_obs} held-out test cells, {adata.n_vars} genes")

    log(f"training the conditional GAN on the training cells ({max_epochs} epochs)")
    model = tl.train(train, condition_key="cell_type", max_epochs=max_epochs, random_state=random_state)
    model.save(out / "model", overwrite=True)

    wanted = test.obs["cell_type"].astype(str).value_counts().to_dict()
    synthetic = tl.generate(model, wanted, random_state=random_state)
    log(f"generated {synthetic.n_obs} synthetic cells, as many per cell type as the test split has")

    log("evaluating synthetic cells against the held-out test cells, next to a real-vs-real reference")
    fidelity = tl.evaluate(test, synthetic, key="cell_type", reference=train, random_state=random_state)
    fidelity.to_csv(out / "fidelity.csv", index=False)
    synthetic.write_h5ad(out / "synthetic.h5ad")

    log(f"oversampling benchmark: {RARE} cut to 10 training cells, {n_seeds} seeds")
    benchmark = tl.benchmark_oversampling(
        adata,
        key="cell_type",
        rare=RARE,
        n_rare=(10,),
        methods=("none", "class_weight", "smote", "floor", "scgan"),
        n_seeds=n_seeds,
        random_state=random_state,
        model_kwargs={"scgan": {"max_epochs": benchmark_epochs}},
    )
    benchmark.to_csv(out / "oversampling.csv", index=False)
    summary = tl.summarize_oversampling(benchmark)
    summary.to_csv(out / "oversampling_summary.csv", index=False)

    log("drawing the figures")
    figures = {
        "history": _figure(pl.history(model, show=False, return_fig=True), out, "history.png"),
        "embedding": _figure(
            pl.embedding(test, synthetic, color="cell_type", show=False, return_fig=True), out, "embedding.png"
        ),
        "marginals": _figure(pl.marginals(test, synthetic, show=False, return_fig=True), out, "marginals.png"),
        "evaluation": _figure(
            pl.evaluation(fidelity, per_label=["auroc", "recall", "de_lfc_pearson"], show=False, return_fig=True),
            out,
            "evaluation.png",
        ),
        "oversampling": _figure(pl.oversampling(benchmark, show=False, return_fig=True), out, "oversampling.png"),
    }
    report = _write_report(out, adata, train, test, synthetic, fidelity, summary, figures, log)
    log(f"done: open {report}")
    return report


def _biology_table(fidelity: pd.DataFrame) -> pd.DataFrame:
    """One row per label, each biology metric as 'synthetic (real vs real)'."""
    rows = fidelity[fidelity["metric"].isin(BIOLOGY)]
    pairs = zip(rows["synthetic"], rows["reference"], strict=True)
    cells = rows.assign(value=[f"{s:.2f} ({r:.2f})".replace("nan", "–") for s, r in pairs])
    table = cells.pivot(index="label", columns="metric", values="value")
    labels = list(dict.fromkeys(rows["label"]))
    table = table.loc[labels, [metric for metric in BIOLOGY if metric in table.columns]]
    table.columns.name = None
    return table.reset_index()


def _write_report(out, adata, train, test, synthetic, fidelity, summary, figures, log) -> Path:
    overall = fidelity[fidelity["label"] == "all"].drop(columns=["label"])
    auroc = overall.set_index("metric").loc["auroc"]
    columns = ["n_rare", "method", "classifier", "features", "rare_f1_mean", "rare_f1_std", "macro_f1_mean"]
    rare_rows = summary.loc[summary["features"] == "hvg", columns]
    sections = [
        (
            "Data",
            f"<p>{adata.n_obs} real PBMCs x {adata.n_vars} genes (scanpy's pbmc68k_reduced, integer counts). "
            f"{train.n_obs} cells trained the GAN; {test.n_obs} held-out cells were never seen by it and are what "
            "the synthetic cells are compared with.</p>",
        ),
        (
            "Training",
            f"<img src='{figures['history']}'><p>Critic and generator losses per epoch. The generator kept is the "
            "one whose cells were closest (MMD) to validation cells held out of training.</p>",
        ),
        (
            "Where the synthetic cells sit",
            f"<img src='{figures['embedding']}'><p>UMAP fitted on real held-out cells, synthetic cells projected into "
            "it. Synthetic cells of a cell type should sit where real cells of that type sit.</p>",
        ),
        (
            "Counts",
            f"<img src='{figures['marginals']}'><p>Per-gene mean, variance and zero fraction, real vs synthetic "
            "(on the identity line when they agree), and the per-cell library sizes.</p>",
        ),
        (
            "Fidelity",
            f"<img src='{figures['evaluation']}'><p>A random forest tells synthetic from real held-out cells with "
            f"AUROC {auroc['synthetic']:.2f} (0.5 = indistinguishable; real vs real here: {auroc['reference']:.2f}). "
            "Every metric is shown next to the same metric between two sets of real cells.</p>" + _table_html(overall),
        ),
        (
            "What a biologist checks",
            "<p>Per cell type, synthetic value and, in brackets, the same between two sets of real cells. "
            "<b>de_lfc_pearson</b>, <b>de_sign_agreement</b>: each cell type against the others, scanpy's Wilcoxon "
            "test on synthetic and on real cells; do the fold changes correlate, and do significant genes change in "
            "the same direction? <b>recall</b>, <b>coverage</b>: are the real states of a cell type reached by "
            "synthetic cells (k-nearest-neighbour balls)? A dropped subpopulation lowers them. "
            "<b>program_corr</b>: do genes vary together as in real cells? <b>memorisation_ratio</b>: distance of "
            "synthetic cells to their nearest training cell over that of held-out cells; well below 1 means copies "
            "of training cells. Worry where a synthetic value is clearly worse than its real-vs-real value.</p>"
            + _biology_table(fidelity).to_html(index=False, border=0, classes="table"),
        ),
        (
            "Oversampling a rare cell type",
            f"<img src='{figures['oversampling']}'><p>{RARE} cut to 10 training cells, topped up with each method, "
            "classifiers scored on untouched real test cells (F1 of the rare type; mean and spread over seeds). "
            "Higher is better.</p>" + _table_html(rare_rows),
        ),
    ]
    body = "\n".join(f"<h2>{html.escape(title)}</h2>\n{content}" for title, content in sections)
    files = ", ".join(sorted(p.name for p in out.iterdir()))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scgan demo report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
.table {{ border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }}
.table td, .table th {{ padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; text-align: right; }}
</style></head><body>
<h1>scgan demo report</h1>
<p>A conditional GAN trained on real PBMC counts, its synthetic cells judged against held-out real cells, and a
test of whether topping up a rare cell type with them helps a classifier. Files in this folder: {html.escape(files)}.
</p>
{body}
<p><small>Generated in {time.perf_counter() - log.start:.0f} s by <code>scgan demo</code>.</small></p>
</body></html>
"""
    path = out / "report.html"
    path.write_text(page)
    return path


__all__ = ["run_demo"]
