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
