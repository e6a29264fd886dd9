"""Train a conditional GAN on an AnnData of counts in one call."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import lightning.pytorch as pl
from anndata import AnnData

from scgan.model import SCGAN

_INIT_OPTIONS = set(inspect.signature(SCGAN.__init__).parameters) - {"self", "adata"}
_TRAIN_OPTIONS = set(inspect.signature(SCGAN.train).parameters) - {
    "self",
    "max_epochs",
    "random_state",
    "trainer_kwargs",
}


def train(
    adata: AnnData,
    *,
    condition_key: str | Sequence[str] | None,
    layer: str | None = None,
    covariate_keys: str | Sequence[str] | None = None,
    covariate_obsm_key: str | None = None,
    max_epochs: int | None = None,
    random_state: int = 0,
    **model_kwargs,
) -> SCGAN:
    """Train a conditional GAN on counts, conditioned on one or more `.obs` columns.

    Parameters
    ----------
    adata
        Annotated data matrix of raw counts (the training cells).
    condition_key
        A categorical `.obs` column, or a list of them for a joint condition (e.g.
        ``["cell_type", "condition"]``).
    layer
        Layer holding the counts; `None` uses `adata.X`.
    covariate_keys, covariate_obsm_key
        Continuous covariates: numeric `.obs` columns and/or an `.obsm` matrix (e.g. genotype calls).
    max_epochs
        Passes over the cells; `None` scales with the dataset size (see :meth:`SCGAN.train`).
    random_state
        Seed of the weights, the minibatches and the sampling.
    **model_kwargs
        Options of :class:`~scgan.model.SCGAN` (``n_latent``, ``count_head``, ``loss``, ...) and of
        :meth:`SCGAN.train <scgan.model.SCGAN.train>` (``batch_size``, ``n_critic``, ``lr_generator``,
        ``accelerator``, ``enable_progress_bar``, ...).

    Returns
    -------
    The trained :class:`~scgan.model.SCGAN`. `adata` is registered with it (scvi-tools writes
    `.uns['_scvi_uuid']` and `.uns['_scvi_manager_uuid']`); nothing else in `adata` changes.
    """
    init_kwargs = {k: model_kwargs.pop(k) for k in list(model_kwargs) if k in _INIT_OPTIONS}
    train_kwargs = {k: model_kwargs.pop(k) for k in list(model_kwargs) if k in _TRAIN_OPTIONS}
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
    # what is left goes to the Lightning trainer, which names anything it does not know
    model.train(max_epochs=max_epochs, random_state=random_state, **train_kwargs, **model_kwargs)
    return model
