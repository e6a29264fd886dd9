"""scgan: conditional GANs for single-cell counts, with the evaluation that shows whether they help."""

from importlib.metadata import version

from scgan import datasets, metrics, model, module, pl, pp, tl

__version__ = version("scgan")

__all__ = ["datasets", "metrics", "model", "module", "pl", "pp", "tl"]
