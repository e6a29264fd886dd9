"""Plots of training, real vs synthetic cells, the evaluation tables and latent walks."""

from scgan.pl._embedding import embedding
from scgan.pl._evaluation import evaluation
from scgan.pl._history import history
from scgan.pl._interpolation import interpolation
from scgan.pl._marginals import marginals
from scgan.pl._oversampling import oversampling

__all__ = ["embedding", "evaluation", "history", "interpolation", "marginals", "oversampling"]
