"""Helpers the benchmark scripts share: read the data, split it, parse ``--set`` options, write results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import anndata as ad
from anndata import AnnData

from scgan._utils import as_key_list, check_obs_key, jsonable
from scgan.pp import prepare
from scgan.pp._split import split_indices


def check_data_file(path: str | Path) -> Path:
    """The data file of a script; exit with one line naming it when it is missing.

    Parameters
    ----------
    path
        The ``.h5ad`` file.

    Returns
    -------
    `path` as a :class:`~pathlib.Path`. Raises :class:`SystemExit` with an ``error: ...`` line if it is not a file.
    """
    path = Path(path)
    if not path.is_file():
        msg = (
            f"error: data file {path} not found; pass --data PATH to an .h5ad file of counts "
            "(the project's data sets live in ../shared/data, see its README)"
        )
        raise SystemExit(msg)
    return path


def read_data(path: str | Path) -> AnnData:
    """Read the h5ad file of a script, after :func:`check_data_file`.

    Parameters
    ----------
    path
        The ``.h5ad`` file.

    Returns
    -------
    The AnnData.
    """
    return ad.read_h5ad(check_data_file(path))


def held_out_split(
    adata: AnnData,
    *,
    key: str | Sequence[str],
    test_size: float = 0.3,
    n_top_genes: int | None = 2000,
    random_state: int = 0,
) -> tuple[AnnData, AnnData]:
    """Real training and held-out cells, stratified by the (joint) condition, genes chosen on training cells.

    Parameters
    ----------
    adata
        Counts in `.X` with the condition columns in `.obs`.
    key
        Column(s) to stratify by; several columns stratify by their combination.
    test_size
        Fraction of cells of each condition held out.
    n_top_genes
        Highly variable genes chosen on the training cells (:func:`scgan.pp.prepare`); `None` keeps every gene.
    random_state
        Seed of the split.

    Returns
    -------
    `(train, test)`: new AnnData objects; `test` has the genes of `train`.
    """
    keys = as_key_list(key)
    for name in keys:
        check_obs_key(adata, name)
    joint = adata.obs[keys].astype(str).agg(" | ".join, axis=1).to_numpy()
    train_rows, test_rows = split_indices(joint, test_size=test_size, random_state=random_state)
    train = adata[train_rows].copy()
    if n_top_genes is not None:
        prepare(train, n_top_genes=n_top_genes)
    return train, adata[test_rows, train.var_names].copy()


def parse_options(settings: Sequence[str]) -> dict:
    """``--set`` pairs (``count_head=nb``, ``hidden=256,256``) as keyword arguments.

    Values are cast to bool (``True``/``False``), None, int or float where they read as one; a comma makes a list.

    Parameters
    ----------
    settings
        ``OPTION=VALUE`` strings.

    Returns
    -------
    A dict option -> value. Raises :class:`SystemExit` with an ``error: ...`` line on a string without ``=``.
    """
    bad = [item for item in settings if "=" not in item]
    if bad:
        msg = f"error: --set takes OPTION=VALUE pairs, got {bad}"
        raise SystemExit(msg)
    return {name: _value(text) for name, text in (item.split("=", 1) for item in settings)}


def write_json(path: str | Path, results: dict) -> None:
    """Write results as indented JSON (numpy values as plain numbers, anything else as text), creating the folder.

    Parameters
    ----------
    path
        The file to write.
    results
        Dicts, lists, numbers and strings, numpy scalars and arrays included.

    Returns
    -------
    None.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jsonable(results), indent=1, default=str))


def _value(text: str):
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    if "," in text:
        return [_value(part) for part in text.split(",")]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text
