"""Latent walks: synthetic cells along a path between two conditions, or between two noise vectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData

if TYPE_CHECKING:
    import torch

    from scgan.model import SCGAN

MODES = ("condition", "noise")


def interpolate(
    model: SCGAN,
    start: str | tuple[str, ...],
    end: str | tuple[str, ...] | None = None,
    *,
    n_steps: int = 11,
    n_cells: int = 100,
    mode: str = "condition",
    random_state: int = 0,
) -> AnnData:
    """Generate cells along a straight path between two conditions (or two noise vectors) of a trained model.

    With ``mode="condition"``, each of `n_cells` cells keeps one noise vector and one library size for the
    whole walk, while its condition moves in `n_steps` equal steps from the embedding of `start` to that of
    `end` (the generator embeds each condition column and adds the embeddings, so a walk from
    ``("B", "ctrl")`` to ``("B", "stim")`` changes only the stimulation). Changes along the walk are then the
    generator's idea of what the condition changes, cell by cell: e.g. which genes respond to a stimulation,
    in what order. Points between the two ends are conditions no real cell had; read them as the model's
    interpolation, not as data.

    Library sizes are drawn once from training cells of `start` and of `end` and paired by rank, so a cell
    with a large library at the start has a large one at the end; at each step the expected library size is
    the same weighted mix of the two as the condition.

    With ``mode="noise"``, the condition stays `start` and each cell moves between two noise vectors: their
    direction by spherical interpolation and their length linearly, which keeps every step at a noise length
    the generator saw in training (a straight line would pass near zero). This shows the states the
    generator makes within one condition and how it moves between them. A model that keeps several generators
    (``n_kept_generators``) walks with the best of them.

    Parameters
    ----------
    model
        A trained :class:`~scgan.model.SCGAN` with at least one categorical condition column.
    start, end
        Conditions at the two ends: a label, or a tuple of labels (one per condition column, in the order of
        ``model.condition_keys``) for a joint condition. `end` is left out with ``mode="noise"``.
    n_steps
        Points along the path, both ends included (at least 2).
    n_cells
        Cells per step (noise vectors followed along the path).
    mode
        ``"condition"`` (walk from `start` to `end`) or ``"noise"`` (walk between two noise vectors within
        `start`).
    random_state
        Seed of the noise, the library sizes and the counts; the same seed gives the same cells.

    Returns
    -------
    A new AnnData of ``n_steps * n_cells`` cells, step by step: `.X` CSR integer counts (int32) with the
    training `.var`; `.obs` holds ``'scgan_step'`` (int, 0 ... n_steps - 1), ``'scgan_position'`` (float, 0 at
    the start and 1 at the end), ``'scgan_cell'`` (int, which noise vector a cell follows),
    ``'scgan_synthetic'`` (True) and ``'library_size'``; `.uns['scgan_interpolation']` holds the parameters
    and the condition columns.
    """
    if mode not in MODES:
        msg = f"Unknown mode {mode!r}; choose one of {MODES}."
        raise ValueError(msg)
    if not getattr(model, "is_trained_", False):
        msg = "The model is not trained yet; call model.train() (or scgan.tl.train) first."
        raise RuntimeError(msg)
    if not model.condition_keys:
        msg = (
            "interpolate walks between categorical conditions, and this model has none (continuous covariates "
            "only); train it with condition_key."
        )
        raise ValueError(msg)
    for value, what in ((n_steps, "n_steps"), (n_cells, "n_cells")):
        minimum = 2 if what == "n_steps" else 1
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
            msg = f"{what} must be an integer >= {minimum}, got {value!r}."
            raise ValueError(msg)
    start = _condition(model, start, "start")
    if mode == "condition":
        if end is None:
            msg = "Pass `end`, the condition to walk to, or mode='noise' to walk between noise vectors of `start`."
            raise ValueError(msg)
        end = _condition(model, end, "end")
    elif end is not None and _condition(model, end, "end") != start:
        msg = f"mode='noise' walks within one condition; leave `end` out (got start {start} and end {end})."
        raise ValueError(msg)

    # torch is imported when a model is used, so that `import scgan` stays light
    import torch

    from scgan.module import draw_integer_counts

    module = model.module
    device = next(module.parameters()).device
    rng = np.random.default_rng(random_state)
    start_codes = _codes(model, start, n_cells)
    end_codes = start_codes if mode == "noise" else _codes(model, end, n_cells)
    continuous = _covariates(module, start_codes, rng) if model.covariate_names else None
    start_library = module.draw_library_sizes(start_codes, n_cells, rng).numpy().astype(np.float64)
    end_library = start_library
    if mode == "condition":
        # paired by rank: each cell keeps its place in the library-size distribution along the walk
        end_library = np.empty(n_cells)
        end_library[np.argsort(start_library, kind="stable")] = np.sort(
            module.draw_library_sizes(end_codes, n_cells, rng).numpy()
        )

    positions = np.linspace(0.0, 1.0, n_steps)
    module.eval()
    blocks = []
    with torch.no_grad(), torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(random_state)
        noise = module.noise(n_cells, device)
        other_noise = module.noise(n_cells, device) if mode == "noise" else None
        covariates = None if continuous is None else continuous.to(device)
        start_embedding = module.generator.condition(start_codes.to(device), covariates)
        end_embedding = module.generator.condition(end_codes.to(device), covariates)
        for position in positions.tolist():
            if mode == "condition":
                step_noise = noise
                embedding = (1.0 - position) * start_embedding + position * end_embedding
            else:
                step_noise = _spherical(noise, other_noise, float(position))
                embedding = start_embedding
            library = (1.0 - position) * start_library + position * end_library
            proportions, theta = module.generator.decode(step_noise, embedding)
            counts = draw_integer_counts(
                proportions, theta, torch.as_tensor(library, dtype=torch.float32, device=device), head=module.count_head
            )
            blocks.append(sp.csr_matrix(counts.cpu().numpy().astype(np.int32)))

    matrix = sp.vstack(blocks, format="csr")
    steps = np.repeat(np.arange(n_steps), n_cells)
    obs = pd.DataFrame(
        {
            "scgan_step": steps,
            "scgan_position": positions[steps],
            "scgan_cell": np.tile(np.arange(n_cells), n_steps),
            "scgan_synthetic": True,
            "library_size": np.asarray(matrix.sum(axis=1)).ravel(),
        },
        index=[f"scgan_walk_{random_state}_{step}_{cell}" for step in range(n_steps) for cell in range(n_cells)],
    )
    params = {
        "start": list(start),
        "end": None if mode == "noise" else list(end),
        "mode": mode,
        "condition_keys": list(model.condition_keys),
        "n_steps": n_steps,
        "n_cells": n_cells,
        "random_state": random_state,
    }
    return AnnData(X=matrix, obs=obs, var=model.var.copy(), uns={"scgan_interpolation": params})


def _condition(model: SCGAN, label, side: str) -> tuple[str, ...]:
    """A label or tuple of labels as one label per condition column, checked against the model's categories."""
    keys = model.condition_keys
    labels = tuple(map(str, label)) if isinstance(label, tuple | list) else (str(label),)
    if len(labels) != len(keys):
        msg = (
            f"`{side}` = {label!r} must name one label per condition column {keys}, e.g. "
            f"{tuple(model.categories[key][0] for key in keys)!r}."
        )
        raise ValueError(msg)
    for key, value in zip(keys, labels, strict=True):
        if value not in model.categories[key]:
            msg = f"Unknown {key!r} label {value!r} in `{side}`; the model knows {model.categories[key]}."
            raise ValueError(msg)
    return labels


def _codes(model: SCGAN, labels: tuple[str, ...], n_cells: int) -> torch.Tensor:
    """The category codes of one joint condition, repeated for `n_cells` cells (cells x condition columns)."""
    import torch

    codes = [model.categories[key].index(value) for key, value in zip(model.condition_keys, labels, strict=True)]
    return torch.as_tensor(codes, dtype=torch.long).repeat(n_cells, 1)


def _covariates(module, codes: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Continuous covariates of training cells of the condition of `codes` (any training cells if it had none)."""
    pool = module.joint_group(module.pool_categorical).numpy()
    candidates = np.flatnonzero(pool == module.joint_group(codes[:1]).item())
    if candidates.size == 0:
        candidates = np.arange(pool.size)
    return module.pool_continuous[rng.choice(candidates, size=codes.shape[0])].float()


def _spherical(first: torch.Tensor, second: torch.Tensor, position: float) -> torch.Tensor:
    """Per row: the direction interpolated on the sphere, the length linearly."""
    import torch

    first_length = first.norm(dim=1, keepdim=True)
    second_length = second.norm(dim=1, keepdim=True)
    first_unit, second_unit = first / first_length, second / second_length
    angle = torch.arccos((first_unit * second_unit).sum(1, keepdim=True).clamp(-1.0, 1.0))
    sine = torch.sin(angle)
    # nearly parallel vectors: a straight line is the same path, without dividing by about zero
    direction = torch.where(
        sine > 1e-6,
        (torch.sin((1.0 - position) * angle) * first_unit + torch.sin(position * angle) * second_unit)
        / sine.clamp_min(1e-6),
        (1.0 - position) * first_unit + position * second_unit,
    )
    return ((1.0 - position) * first_length + position * second_length) * direction
