"""Sphinx configuration of the scgan documentation."""

from importlib.metadata import version as _version

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
nitpicky = False
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "furo"
html_title = "scgan"
