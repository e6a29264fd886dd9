"""Sphinx configuration of the scgan documentation."""

import os
import shutil
from importlib.metadata import version as _version
from pathlib import Path

# The tutorials live in ../tutorials (run as notebooks there, linted by ruff); Sphinx only reads files under
# docs/, so a fresh copy goes to docs/tutorials (git-ignored) on every build, where myst-nb executes it.
_here = Path(__file__).parent
shutil.rmtree(_here / "tutorials", ignore_errors=True)
(_here / "tutorials").mkdir()
for _notebook in sorted((_here.parent / "tutorials").glob("*.ipynb")):
    shutil.copy2(_notebook, _here / "tutorials" / _notebook.name)

# numba's OpenMP layer (loaded by scanpy) sets the OpenMP thread count of the process, torch's included, to the
# number of cores; let a thread limit given to the build (OMP_NUM_THREADS) reach the notebook kernels too.
if "OMP_NUM_THREADS" in os.environ:
    os.environ.setdefault("NUMBA_NUM_THREADS", os.environ["OMP_NUM_THREADS"])

project = "scgan"
author = "scgan developers"
copyright = "2026, scgan developers"
release = version = _version("scgan")

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]
autosummary_generate = True
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = True
autodoc_typehints = "description"
myst_enable_extensions = ["colon_fence", "dollarmath"]
nb_execution_mode = "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
# Lightning's and scvi-tools' console chatter goes to stderr; the tutorials show results, not logs
nb_output_stderr = "remove"
nitpicky = False
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "furo"
html_title = "scgan"
