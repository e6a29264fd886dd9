"""Classic fidelity rows: two-sample tests, gene and cell marginals, label faithfulness and marker genes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scgan.metrics import (
    cell_ks,
    classifier_auroc,
    gene_agreement,
    label_faithfulness,
    marker_overlap,
    mmd,
    non_integer_fraction,
)
from scgan.tl._evaluate_cells import Cells
from scgan.tl._evaluate_table import OVERALL, mean_of_finite, per_label, rows

N_MARKERS = 20


def fidelity_table(
    compared: Cells, synthetic: Cells, reference: Cells, labels: list[str], *, random_state: int
) -> pd.DataFrame:
    """The classic rows, overall and per label (label faithfulness overall only), synthetic and reference."""

    def compare(real: Cells, other: Cells) -> dict[str, float]:
        scores = {
            "auroc": classifier_auroc(real.features, other.features, random_state=random_state),
            "mmd": mmd(real.features, other.features, random_state=random_state),
        }
        scores |= gene_agreement(real.counts, other.counts)
        scores |= cell_ks(real.counts, other.counts)
        scores["non_integer_fraction"] = non_integer_fraction(other.counts)
        return scores

    return pd.concat(
        [
            per_label(compared, synthetic, reference, labels, compare),
            _label_rows(compared, synthetic, reference, labels, random_state=random_state),
        ]
    )


def _label_rows(
    compared: Cells, synthetic: Cells, reference: Cells, labels: list[str], *, random_state: int
) -> pd.DataFrame:
    """Label faithfulness overall, and marker overlap per label and as its mean over labels."""
    sizes = (compared.labels.size, synthetic.labels.size)
    results = {}  # (metric, label) -> (synthetic, reference, n_real, n_synthetic)
    results["label_f1", OVERALL] = (
        label_faithfulness(
            compared.features, compared.labels, synthetic.features, synthetic.labels, random_state=random_state
        ),
        label_faithfulness(
            compared.features, compared.labels, reference.features, reference.labels, random_state=random_state
        ),
        *sizes,
    )
    synthetic_markers = marker_overlap(
        compared.lognorm, compared.labels, synthetic.lognorm, synthetic.labels, n_markers=N_MARKERS
    )
    reference_markers = marker_overlap(
        compared.lognorm, compared.labels, reference.lognorm, reference.labels, n_markers=N_MARKERS
    )
    results["marker_jaccard", OVERALL] = (
        mean_of_finite([synthetic_markers.get(label, np.nan) for label in labels]),
        mean_of_finite([reference_markers.get(label, np.nan) for label in labels]),
        *sizes,
    )
    for label in labels:
        results["marker_jaccard", label] = (
            synthetic_markers.get(label, np.nan),
            reference_markers.get(label, np.nan),
            int((compared.labels == label).sum()),
            int((synthetic.labels == label).sum()),
        )
    return rows(results)
