"""Train a conditional GAN on an AnnData of counts in one call."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from anndata import AnnData

if TYPE_CHECKING:
    from scgan.model import SCGAN


def train(
    adata: AnnData,
    *,
    condition_key: str | Sequence[str] | None,
    layer: str | None = None,
    covariate_keys: str | Sequence[str] | None = None,
    covariate_obsm_key: str | None = None,
    max_epochs: int | None = None,
    random_state: int = 0,
    **options,
) -> SCGAN:
    """Train a conditional GAN on counts, conditioned on one or more `.obs` columns.

    Parameters
    ----------
    adata
        Annotated data matrix of raw counts (the training cells), in memory or backed
        (``anndata.read_h5ad(path, backed='r')``: trained from disk, memory bounded by the minibatch).
    condition_key
        A categorical `.obs` column, or a list of them for a joint condition (e.g.
        ``["cell_type", "condition"]``).
    layer
        Layer holding the counts; `None` uses `adata.X`.
    covariate_keys, covariate_obsm_key
        Continuous covariates: numeric `.obs` columns and/or an `.obsm` matrix (e.g. genotype calls).
    max_epochs
        Passes over the cells; `None` trains a budget of optimiser steps that does not grow with the data
        (``max_steps``, see :meth:`SCGAN.train <scgan.model.SCGAN.train>`).
    random_state
        Seed of the weights, the minibatches and the sampling.
    **options
        Options of :class:`~scgan.model.SCGAN` (``n_latent``, ``count_head``, ``loss``, ...), of
        :meth:`SCGAN.train <scgan.model.SCGAN.train>` (``max_steps``, ``batch_size``, ``accelerator``,
        ``devices``, ...), of its training plan :class:`~scgan.model.GANTrainingPlan` (``n_critic``,
        ``lr_generator``, ``ema_decay``, ``early_stopping``, ...) and of Lightning's Trainer
        (``enable_progress_bar``, ``strategy``, ...), each passed to the layer that uses it.

    Returns
    -------
    The trained :class:`~scgan.model.SCGAN`. `adata` is registered with it (scvi-tools writes
    `.uns['_scvi_uuid']`, `.uns['_scvi_manager_uuid']` and, for several condition columns,
    `.obsm['_scvi_extra_categorical_covs']`); nothing else in `adata` changes.
    """
    import lightning.pytorch as pl

    from scgan.model import SCGAN
    from scgan.model._training import PLAN_OPTIONS

    init_kwargs = _take(options, set(inspect.signature(SCGAN.__init__).parameters) - {"self", "adata"})
    plan_kwargs = _take(options, PLAN_OPTIONS)
    SCGAN.setup_anndata(
        adata,
        condition_keys=condition_key,
        layer=layer,
        covariate_keys=covariate_keys,
        covariate_obsm_key=covariate_obsm_key,
    )
    # the initial weights are drawn when the model is built: seed before
    pl.seed_everything(random_state, verbose=False)
    model = SCGAN(adata, **init_kwargs)
    # what is left goes to SCGAN.train and then to the Lightning trainer, which names anything it does not know
    model.train(max_epochs=max_epochs, random_state=random_state, plan_kwargs=plan_kwargs, **options)
    return model


def _take(options: dict, names: set[str]) -> dict:
    """Remove from `options` and return those named in `names`."""
    return {name: options.pop(name) for name in list(options) if name in names}
