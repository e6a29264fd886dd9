"""scgan: conditional GANs for single-cell counts, with the evaluation that shows whether they help."""

import importlib
from importlib.metadata import version

from scgan import benchmark, datasets, metrics, pl, pp, tl

__version__ = version("scgan")

# the model framework (torch, Lightning, scvi-tools) is imported when first used: `import scgan` stays light
_LAZY = ("model", "module")


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"scgan.{name}")
    msg = f"module 'scgan' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = ["benchmark", "datasets", "metrics", "model", "module", "pl", "pp", "tl"]
