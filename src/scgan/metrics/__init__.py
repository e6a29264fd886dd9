"""Fidelity and oversampling kernels: arrays in, numbers out."""

from scgan.metrics._fidelity import (
    cell_ks,
    classifier_auroc,
    gene_agreement,
    label_faithfulness,
    marker_overlap,
    mmd,
    non_integer_fraction,
)

__all__ = [
    "cell_ks",
    "classifier_auroc",
    "gene_agreement",
    "label_faithfulness",
    "marker_overlap",
    "mmd",
    "non_integer_fraction",
]
