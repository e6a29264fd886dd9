"""Preprocessing: check counts, select genes, split real cells."""

from scgan.pp._check_counts import check_counts
from scgan.pp._prepare import prepare
from scgan.pp._split import split

__all__ = ["check_counts", "prepare", "split"]
