"""Every public pp/tl function follows scanpy's conventions."""

import inspect

import pytest

import scgan

PUBLIC = [(name, getattr(namespace, name)) for namespace in (scgan.pp, scgan.tl) for name in namespace.__all__]


def test_public_surface_exists():
    for namespace in ("pp", "tl", "pl", "model", "datasets", "metrics"):
        assert hasattr(scgan, namespace)
    assert {"check_counts", "prepare", "split"} <= set(scgan.pp.__all__)


@pytest.mark.parametrize(("name", "func"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_function_conventions(name, func):
    params = list(inspect.signature(func).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert params[0].name in {"adata", "model", "real", "results"}, f"{name}: first parameter is {params[0].name}"
    assert len(positional) <= 3, f"{name} has {len(positional)} positional parameters"
    for p in params:
        if p.name == "copy":
            assert p.kind == p.KEYWORD_ONLY, f"{name}: copy must be keyword-only"
        if isinstance(p.default, bool):
            assert p.kind == p.KEYWORD_ONLY, f"{name}: boolean {p.name} must be keyword-only"
    assert func.__doc__ and "Returns" in func.__doc__, f"{name} needs a numpydoc Returns section"


PLOTS = [(name, getattr(scgan.pl, name)) for name in scgan.pl.__all__]


@pytest.mark.parametrize(("name", "func"), PLOTS, ids=[name for name, _ in PLOTS])
def test_plot_docstrings_document_every_parameter(name, func):
    """The shared parts of the plots' docstrings are filled in: every parameter has its entry, no placeholder is left."""
    lines = [line.strip() for line in func.__doc__.splitlines()]
    entries = {entry for line in lines for entry in line.split(", ")}  # numpydoc's "rows, columns" entries
    for parameter in inspect.signature(func).parameters:
        assert parameter in entries, f"{name}: parameter {parameter} is not documented"
    assert not [line for line in lines if line.startswith("{") and line.endswith("}")], f"{name}: placeholder left"
    assert (
        "Returns" in lines and "Show the figure; `None` shows it only in interactive mode (e.g. a notebook)." in lines
    )


def test_doc_params_leaves_a_function_without_docstring_alone():
    from scgan.pl._base import doc_params

    def plot(real):
        pass

    plot.__doc__ = None  # as under python -OO
    assert doc_params(plot) is plot
    assert plot.__doc__ is None
