"""SCGAN: the AnnData-facing conditional GAN, registered and trained through scvi-tools' framework."""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from anndata import AnnData
from safetensors.torch import load_file, save_file
from scvi import REGISTRY_KEYS
from scvi.data import AnnDataManager
from scvi.data.fields import CategoricalJointObsField, LayerField, NumericalJointObsField, ObsmField
from scvi.dataloaders import DataSplitter
from scvi.model.base import BaseModelClass
from scvi.train import TrainRunner

from scgan._utils import as_key_list, check_nonempty, check_obs_key, get_matrix, iter_row_chunks
from scgan.model._training_plan import OBSM_COVARIATES_KEY, GANTrainingPlan, batch_conditions
from scgan.module import ConditionalGAN
from scgan.pp import check_counts
from scgan.pp._split import split_indices

SETTINGS_FILE = "settings.json"
WEIGHTS_FILE = "model.safetensors"
FORMAT_VERSION = 1


DEFAULT_CRITIC_STEPS = 10_000
DEFAULT_BATCH_SIZE = 128


def default_max_epochs(n_cells: int, batch_size: int) -> int:
    """Epochs for about 10,000 critic steps (2,000 generator steps at 5:1), at least 50 and at most 2,000."""
    batches_per_epoch = max(1, int(np.ceil(n_cells / batch_size)))
    return int(np.clip(round(DEFAULT_CRITIC_STEPS / batches_per_epoch), 50, 2_000))


def _counts_to_csr(counts: torch.Tensor) -> sp.csr_matrix:
    """Integer counts (a float tensor, on any device) as an int32 CSR matrix, built from the non-zeros only."""
    rows, cols = counts.nonzero(as_tuple=True)
    indptr = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(torch.bincount(rows, minlength=counts.shape[0]).cpu().numpy(), out=indptr[1:])
    data = counts[rows, cols].to(torch.int32).cpu().numpy()
    return sp.csr_matrix((data, cols.to(torch.int32).cpu().numpy(), indptr), shape=tuple(counts.shape))


class SCGAN(BaseModelClass):
    """Conditional GAN that generates integer counts for given phenotype conditions.

    Parameters
    ----------
    adata
        AnnData registered with :meth:`SCGAN.setup_anndata`.
    n_latent
        Size of the generator's noise vector.
    generator_hidden, critic_hidden
        Widths of the hidden layers.
    critic_dropout
        Dropout in the critic.
    count_head
        How counts are made (see the design notes in the docs): ``'poisson'`` (default: softmax proportions,
        a library size drawn from real cells of the same condition, Poisson counts sampled inside the training
        step with a straight-through gradient), ``'nb'`` (gamma-Poisson with learned dispersions: better for
        genes that switch between an off and an on level, at about twice the training time and a third of the
        generation speed) or ``'continuous'`` (scGAN-style: the critic sees expected values, counts are drawn
        only at the end).
    loss
        ``'wgan-gp'`` (default), ``'wgan'`` (weight clipping) or ``'gan'`` (non-saturating BCE).
    critic_target_sum
        The critic reads real and generated cells as log1p of counts scaled to this total per cell. `None`
        (default) uses the median library size of the training cells, as :func:`scanpy.pp.normalize_total`
        does. ``1e4`` (counts per 10k) turns one count of a 500-count cell into log1p(20) and
        makes the critic weigh zeros against ones; on pbmc3k the median scores better over three splits
        (BENCHMARKS.md).
    noise_df
        Degrees of freedom of the generator's noise, a multivariate Student-t vector (default 3): a Gaussian
        vector scaled per cell, so its length varies and the generator has room for the rarer states within a
        condition. It brings the Kang et al. label check inside 0.05 with pbmc3k unchanged (BENCHMARKS.md).
        `None`: Gaussian noise.
    """

    _training_plan_cls = GANTrainingPlan
    _data_splitter_cls = DataSplitter
    _train_runner_cls = TrainRunner

    def __init__(
        self,
        adata: AnnData,
        *,
        n_latent: int = 128,
        generator_hidden: Sequence[int] = (512, 1024),
        critic_hidden: Sequence[int] = (256, 256),
        critic_dropout: float = 0.0,
        count_head: str = "poisson",
        loss: str = "wgan-gp",
        critic_target_sum: float | None = None,
        noise_df: float | None = 3.0,
    ):
        super().__init__(adata)
        self.condition_keys = as_key_list(self._setup_args()["condition_keys"])
        self.categories = self._registered_categories()
        self.covariate_names = self._registered_covariate_names()
        self.module = ConditionalGAN(
            adata.n_vars,
            n_cats_per_key=[len(self.categories[k]) for k in self.condition_keys],
            n_continuous=len(self.covariate_names),
            n_latent=n_latent,
            generator_hidden=tuple(generator_hidden),
            critic_hidden=tuple(critic_hidden),
            critic_dropout=critic_dropout,
            count_head=count_head,
            loss=loss,
            critic_target_sum=critic_target_sum,
            noise_df=noise_df,
        )
        categorical, continuous = self._registered_conditions(adata)
        self.module.set_training_pool(self._library_sizes(adata), categorical, continuous)
        self.var = adata.var.copy()
        self._model_summary_string = (
            f"SCGAN on {adata.n_obs} cells x {adata.n_vars} genes, conditions {self.condition_keys}"
            + (f", {len(self.covariate_names)} continuous covariates" if self.covariate_names else "")
            + f"; count head {count_head!r}, loss {loss!r}, n_latent {n_latent}."
        )
        self.init_params_ = self._get_init_params(locals())

    # registration -----------------------------------------------------------------------------------------
    @classmethod
    def setup_anndata(
        cls,
        adata: AnnData,
        *,
        condition_keys: str | Sequence[str] | None,
        layer: str | None = None,
        covariate_keys: str | Sequence[str] | None = None,
        covariate_obsm_key: str | None = None,
    ) -> None:
        """Register the counts and the conditions of `adata` with an :class:`~scvi.data.AnnDataManager`.

        Parameters
        ----------
        adata
            Annotated data matrix of raw counts.
        condition_keys
            One or more categorical `.obs` columns; together they form the joint condition.
        layer
            Layer holding the counts; `None` uses `adata.X`.
        covariate_keys
            Numeric `.obs` columns used as continuous covariates.
        covariate_obsm_key
            An `.obsm` matrix of continuous covariates (e.g. genotype calls).

        Returns
        -------
        None. Registers `adata` for the model (scvi-tools writes `.uns['_scvi_uuid']` and
        `.uns['_scvi_manager_uuid']`).
        """
        check_counts(adata, layer=layer)
        keys = as_key_list(condition_keys)
        numeric = as_key_list(covariate_keys)
        for key in keys + numeric:
            check_obs_key(adata, key)
        for key in keys:
            if adata.obs[key].isna().any():
                msg = f"Condition column {key!r} has missing values; fill or drop those cells."
                raise ValueError(msg)
        for key in numeric:
            if not pd.api.types.is_numeric_dtype(adata.obs[key]):
                msg = f"Covariate column {key!r} must be numeric; use condition_keys for categorical columns."
                raise ValueError(msg)
        if covariate_obsm_key is not None and covariate_obsm_key not in adata.obsm:
            msg = f"{covariate_obsm_key!r} not found in adata.obsm. Available: {list(adata.obsm.keys())}."
            raise KeyError(msg)
        if not keys and not numeric and covariate_obsm_key is None:
            msg = "Pass at least one condition: condition_keys, covariate_keys or covariate_obsm_key."
            raise ValueError(msg)
        setup_method_args = cls._get_setup_method_args(**locals())
        fields = [
            LayerField(REGISTRY_KEYS.X_KEY, layer, is_count_data=True),
            CategoricalJointObsField(REGISTRY_KEYS.CAT_COVS_KEY, keys or None),
            NumericalJointObsField(REGISTRY_KEYS.CONT_COVS_KEY, numeric or None),
        ]
        if covariate_obsm_key is not None:
            fields.append(ObsmField(OBSM_COVARIATES_KEY, covariate_obsm_key))
        manager = AnnDataManager(fields=fields, setup_method_args=setup_method_args)
        manager.register_fields(adata)
        cls.register_manager(manager)

    def _setup_args(self) -> dict:
        return self.adata_manager._get_setup_method_args()["setup_args"]

    def _registered_categories(self) -> dict[str, list[str]]:
        if not self.condition_keys:
            return {}
        state = self.adata_manager.get_state_registry(REGISTRY_KEYS.CAT_COVS_KEY)
        return {key: list(map(str, state.mappings[key])) for key in self.condition_keys}

    def _registered_covariate_names(self) -> list[str]:
        names = list(as_key_list(self._setup_args()["covariate_keys"]))
        if OBSM_COVARIATES_KEY in self.adata_manager.data_registry:
            state = self.adata_manager.get_state_registry(OBSM_COVARIATES_KEY)
            names += [f"{self._setup_args()['covariate_obsm_key']}:{c}" for c in state.column_names]
        return names

    def _registered_conditions(self, adata: AnnData) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        manager = self.get_anndata_manager(adata, required=True)
        batch = {}
        for key in (REGISTRY_KEYS.CAT_COVS_KEY, REGISTRY_KEYS.CONT_COVS_KEY, OBSM_COVARIATES_KEY):
            if key in manager.data_registry:
                values = manager.get_from_registry(key)
                batch[key] = torch.as_tensor(np.asarray(values, dtype=np.float32))
        return batch_conditions(batch)

    def _library_sizes(self, adata: AnnData) -> torch.Tensor:
        matrix = get_matrix(adata, self._setup_args()["layer"])
        sizes = [np.asarray(block.sum(axis=1)).ravel() for _, block in iter_row_chunks(matrix)]
        return torch.as_tensor(np.concatenate(sizes), dtype=torch.float32)

    # training -----------------------------------------------------------------------------------------------
    def train(
        self,
        max_epochs: int | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        n_critic: int = 5,
        lr_generator: float = 5e-4,
        lr_critic: float = 5e-4,
        gp_weight: float = 10.0,
        clip_value: float = 0.01,
        validation_fraction: float = 0.1,
        check_val_every_n_epoch: int | None = None,
        keep_best: bool = True,
        early_stopping: bool = False,
        early_stopping_patience: int = 6,
        ema_decay: float = 0.995,
        random_state: int = 0,
        accelerator: str = "auto",
        devices: int | list[int] | str = "auto",
        **trainer_kwargs,
    ) -> None:
        """Train the GAN with scvi-tools' data loaders and train runner (Lightning).

        Parameters
        ----------
        max_epochs
            Passes over the training cells; `None` chooses about 10,000 critic steps (at least 50, at most
            2,000 epochs), so small datasets get more epochs.
        batch_size
            Cells per minibatch (sparse rows are densified one minibatch at a time).
        n_critic
            Critic steps per generator step. For continuous covariates such as genotype calls, 2: their effects
            are learned over many generator steps, and at 5 a run ends before they are (on simulated genotypes
            the largest activation-rate error was 0.08–0.14 at 5 over three seeds, with Gaussian noise, and
            0.06–0.10 at 2 over five, for about 20% more time; BENCHMARKS.md).
        lr_generator, lr_critic
            Adam learning rates.
        gp_weight, clip_value
            Gradient penalty weight (``wgan-gp``) and weight-clipping bound (``wgan``).
        validation_fraction
            Fraction of cells of each condition held out of training to score the generator (an MMD in a PCA
            space of the training cells); conditions with fewer than 20 cells stay whole in training. 0 turns
            validation off.
        check_val_every_n_epoch
            How often the validation score is computed; `None` about 40 times per training.
        keep_best
            Keep the generator with the best validation score rather than the last one.
        early_stopping, early_stopping_patience
            With `keep_best`, stop once the validation score has not improved for `early_stopping_patience`
            validation checks in a row (6 checks: 15% of `max_epochs` at the default check interval); the best
            generator is restored as always. For cell types and conditions this keeps the same generator in a
            third of the time (pbmc3k, Kang et al.; BENCHMARKS.md); for continuous covariates it can stop
            before their effects are learned (the validation score can stall early on), hence off by default.
        ema_decay
            Decay of a moving average of the generator's weights, updated after every generator step
            (bias-corrected, so a short run is the plain average of its steps). With `keep_best`, the averaged
            and the raw generator are both scored and the better one is kept; otherwise the average is returned.
            Averaging is what brings the held-out AUROC on pbmc3k from 0.69 to about 0.64 (BENCHMARKS.md). 0 uses
            the raw weights.
        random_state
            Seed of the initial weights, the minibatch order and the sampling.
        accelerator, devices
            Lightning device options (``'cpu'``, ``'gpu'``, ``'auto'``; device count or ids).
        **trainer_kwargs
            Passed to :class:`scvi.train.Trainer` (e.g. ``enable_progress_bar=False``).

        Returns
        -------
        None. Fills `model.history` (per-epoch ``critic_loss``, ``generator_loss``, ``wasserstein``,
        ``gradient_penalty`` and ``validation_mmd``) and `model.best_epoch`.
        """
        pl.seed_everything(random_state, verbose=False)
        n_cells = self.adata.n_obs
        max_epochs = max_epochs or default_max_epochs(n_cells, batch_size)
        train_idx, val_idx = self._validation_split(validation_fraction, random_state)
        if early_stopping_patience < 1:
            msg = f"early_stopping_patience must be at least 1 validation check, got {early_stopping_patience!r}."
            raise ValueError(msg)
        if val_idx.size:
            trainer_kwargs.setdefault("check_val_every_n_epoch", check_val_every_n_epoch or max(1, max_epochs // 40))
        if early_stopping and not (keep_best and val_idx.size):
            warnings.warn(
                "early_stopping needs keep_best=True and validation cells (validation_fraction > 0 and conditions of"
                " at least 20 cells); training all max_epochs.",
                UserWarning,
                stacklevel=2,
            )
        elif early_stopping:
            trainer_kwargs.update(
                early_stopping=True,
                early_stopping_monitor="validation_mmd",
                early_stopping_patience=early_stopping_patience,
            )
        datamodule = self._data_splitter_cls(
            self.adata_manager,
            batch_size=batch_size,
            external_indexing=[train_idx, val_idx, np.array([], dtype=int)],
            drop_last=len(train_idx) > batch_size,
        )
        plan = self._training_plan_cls(
            self.module,
            n_critic=n_critic,
            lr_generator=lr_generator,
            lr_critic=lr_critic,
            gp_weight=gp_weight,
            clip_value=clip_value,
            keep_best=keep_best and val_idx.size > 0,
            ema_decay=ema_decay,
        )
        runner = self._train_runner_cls(
            self,
            training_plan=plan,
            data_splitter=datamodule,
            max_epochs=max_epochs,
            accelerator=accelerator,
            devices=devices,
            **trainer_kwargs,
        )
        runner()
        self.best_epoch = plan.best_epoch
        self.module.eval()

    def _validation_split(self, fraction: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
        n_cells = self.adata.n_obs
        if fraction <= 0:
            return np.arange(n_cells), np.array([], dtype=int)
        if self.condition_keys:
            groups = self.module.joint_group(self.module.pool_categorical).numpy()
        else:
            groups = np.zeros(n_cells, dtype=int)
        names, sizes = np.unique(groups, return_counts=True)
        eligible = np.isin(groups, names[sizes >= 20])
        if eligible.sum() < 20:
            return np.arange(n_cells), np.array([], dtype=int)
        rows = np.flatnonzero(eligible)
        _, val_pos = split_indices(groups[rows], test_size=fraction, random_state=random_state)
        val_idx = rows[val_pos]
        return np.setdiff1d(np.arange(n_cells), val_idx), val_idx

    @property
    def history(self) -> dict[str, pd.DataFrame]:
        """Per-epoch training curves (critic and generator loss, Wasserstein estimate, gradient penalty)."""
        return self.history_

    # generation ---------------------------------------------------------------------------------------------
    def _condition_table(self, n_cells, rng: np.random.Generator) -> pd.DataFrame:
        """One row per requested cell: condition labels and continuous covariate values."""
        keys = self.condition_keys
        if isinstance(n_cells, pd.DataFrame):
            missing = [c for c in keys + self.covariate_names if c not in n_cells.columns]
            if missing:
                msg = f"The conditions DataFrame lacks columns {missing}; it needs {keys + self.covariate_names}."
                raise KeyError(msg)
            table = n_cells[keys + self.covariate_names].reset_index(drop=True)
        elif isinstance(n_cells, Mapping):
            rows = []
            for label, count in n_cells.items():
                label = label if isinstance(label, tuple) else (label,)
                if len(label) != len(keys):
                    msg = (
                        f"Label {label} does not name one value per condition column {keys}; "
                        "use tuples as keys, or a DataFrame of conditions."
                    )
                    raise ValueError(msg)
                rows += [label] * _cell_count(count, what=f"the number of cells for {label}", minimum=0)
            if not rows:
                msg = f"The mapping {dict(n_cells)} asks for no cells; give at least one label a positive count."
                raise ValueError(msg)
            table = pd.DataFrame(rows, columns=keys)
            if self.covariate_names:
                table = self._draw_covariates(table, rng)
        else:
            n_cells = _cell_count(n_cells, what="n_cells", minimum=1)
            # conditions in training proportions: those of randomly drawn training cells
            rows = rng.choice(len(self.module.library_sizes), size=n_cells)
            table = pd.DataFrame(
                {
                    k: np.asarray(self.categories[k])[self.module.pool_categorical[rows, i].numpy()]
                    for i, k in enumerate(keys)
                }
            )
            if self.covariate_names:
                covariates = self.module.pool_continuous[rows].numpy()
                table[self.covariate_names] = covariates
        for key in keys:
            table[key] = table[key].astype(str)
            unknown = sorted(set(table[key]) - set(self.categories[key]))
            if unknown:
                msg = f"Unknown {key!r} labels {unknown}; the model knows {self.categories[key]}."
                raise ValueError(msg)
        return table

    def _draw_covariates(self, table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Continuous covariates of training cells of the same condition, for requests that name labels only."""
        codes = self._codes(table)
        pool = self.module.joint_group(self.module.pool_categorical).numpy()
        wanted = self.module.joint_group(codes).numpy()
        values = np.empty((len(table), len(self.covariate_names)), dtype=np.float32)
        for group in np.unique(wanted):
            candidates = np.flatnonzero(pool == group)
            if candidates.size == 0:
                candidates = np.arange(len(pool))
            cells = wanted == group
            values[cells] = self.module.pool_continuous[rng.choice(candidates, size=int(cells.sum()))].numpy()
        table[self.covariate_names] = values
        return table

    def _codes(self, table: pd.DataFrame) -> torch.Tensor:
        codes = [pd.Categorical(table[k].astype(str), categories=self.categories[k]).codes for k in self.condition_keys]
        return torch.as_tensor(np.stack(codes, axis=1), dtype=torch.long)

    def generate(
        self,
        n_cells: int | Mapping | pd.DataFrame,
        *,
        random_state: int = 0,
        batch_size: int = 4096,
    ) -> AnnData:
        """Generate synthetic cells as integer counts.

        Parameters
        ----------
        n_cells
            An int (conditions drawn in training proportions), a mapping label -> number of cells (tuples of
            labels as keys for several condition columns), or a DataFrame with one row per cell holding the
            condition columns and the continuous covariates.
        random_state
            Seed; the same seed gives the same cells.
        batch_size
            Cells generated at once.

        Returns
        -------
        AnnData of synthetic cells: `.X` CSR integer counts (int32) with the training `.var`; `.obs` holds
        the condition columns (categoricals with the training categories), the continuous covariates,
        ``'scgan_synthetic'`` (True) and ``'library_size'``; `.uns['scgan']` holds the parameters and a summary
        of the model.
        """
        if not self.is_trained_:
            msg = "The model is not trained yet; call model.train() (or scgan.tl.train) first."
            raise RuntimeError(msg)
        rng = np.random.default_rng(random_state)
        table = self._condition_table(n_cells, rng)
        codes = self._codes(table) if self.condition_keys else None
        continuous = (
            torch.as_tensor(table[self.covariate_names].to_numpy(dtype=np.float32)) if self.covariate_names else None
        )
        library = self.module.draw_library_sizes(codes, len(table), rng)
        self.module.eval()
        device = next(self.module.parameters()).device
        blocks = []
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(random_state)
            for start in range(0, len(table), batch_size):
                stop = min(start + batch_size, len(table))
                counts = self.module.generate(
                    codes[start:stop].to(device) if codes is not None else None,
                    continuous[start:stop].to(device) if continuous is not None else None,
                    library[start:stop].to(device),
                )
                blocks.append(_counts_to_csr(counts))
        obs = table.copy()
        for key in self.condition_keys:
            obs[key] = pd.Categorical(obs[key], categories=self.categories[key])
        obs["scgan_synthetic"] = True
        matrix = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, len(self.var)), dtype=np.int32)
        obs["library_size"] = np.asarray(matrix.sum(axis=1)).ravel()
        obs.index = [f"scgan_{random_state}_{i}" for i in range(len(obs))]
        summary = {
            "condition_keys": self.condition_keys,
            "covariates": self.covariate_names,
            "n_cells": len(obs),
            "random_state": random_state,
            "model": {k: _jsonable(v) for k, v in self.init_params_["non_kwargs"].items()},
            "model_summary": self._model_summary_string,
        }
        return AnnData(X=matrix, obs=obs, var=self.var.copy(), uns={"scgan": summary})

    # persistence --------------------------------------------------------------------------------------------
    def save(self, dir_path: str | Path, *, overwrite: bool = False) -> None:
        """Save settings (JSON) and weights (safetensors) to a folder, atomically.

        Parameters
        ----------
        dir_path
            Folder to create.
        overwrite
            Replace an existing folder.

        Returns
        -------
        None. Writes ``settings.json`` and ``model.safetensors`` into `dir_path`; nothing is half-written if
        saving fails.
        """
        path = Path(dir_path)
        if path.exists() and not overwrite:
            msg = f"{path} already exists; pass overwrite=True to replace it."
            raise FileExistsError(msg)
        settings = {
            "format_version": FORMAT_VERSION,
            "init_params": {k: _jsonable(v) for k, v in self.init_params_["non_kwargs"].items()},
            "setup_args": {k: _jsonable(v) for k, v in self._setup_args().items()},
            "condition_keys": self.condition_keys,
            "categories": self.categories,
            "covariate_names": self.covariate_names,
            "var_names": list(map(str, self.var.index)),
            "is_trained": bool(self.is_trained_),
            "best_epoch": getattr(self, "best_epoch", None),
            "history": {k: v.reset_index().to_dict(orient="list") for k, v in (self.history_ or {}).items()},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        try:
            (staging / SETTINGS_FILE).write_text(json.dumps(settings, indent=1, default=_jsonable))
            state = {k: v.detach().cpu().contiguous() for k, v in self.module.state_dict().items()}
            save_file(state, str(staging / WEIGHTS_FILE))
            if path.exists():
                backup = path.with_name(f".{path.name}-old")
                path.rename(backup)
                staging.rename(path)
                shutil.rmtree(backup)
            else:
                staging.rename(path)
        finally:
            if staging.exists():
                shutil.rmtree(staging)

    @classmethod
    def load(cls, dir_path: str | Path, adata: AnnData | None = None) -> SCGAN:
        """Load a saved model without executing code from the files (JSON settings, safetensors weights).

        Parameters
        ----------
        dir_path
            Folder written by :meth:`save`.
        adata
            Optional data to attach; its genes and condition categories must match the model's.

        Returns
        -------
        The trained model. With the same `random_state`, :meth:`generate` gives the same cells as before saving.
        """
        path = Path(dir_path)
        if not (path / SETTINGS_FILE).exists() or not (path / WEIGHTS_FILE).exists():
            msg = f"{path} is not a saved scgan model (needs {SETTINGS_FILE} and {WEIGHTS_FILE})."
            raise FileNotFoundError(msg)
        settings = json.loads((path / SETTINGS_FILE).read_text())
        setup = settings["setup_args"]
        if adata is None:
            adata = _template_anndata(settings)
        else:
            _check_compatible(adata, settings)
        cls.setup_anndata(
            adata,
            condition_keys=setup["condition_keys"],
            layer=setup["layer"],
            covariate_keys=setup["covariate_keys"],
            covariate_obsm_key=setup["covariate_obsm_key"],
        )
        # files written before these options had a critic reading counts per 10k and Gaussian noise
        model = cls(adata, **{"critic_target_sum": 1e4, "noise_df": None, **settings["init_params"]})
        state = load_file(str(path / WEIGHTS_FILE))
        for name in ("library_sizes", "pool_categorical", "pool_continuous"):
            setattr(model.module, name, state[name])
        state.setdefault("critic_scale", torch.tensor(1e4))  # saved before the critic's scale came from the data
        model.module.load_state_dict(state)
        model.module.eval()
        model.is_trained_ = settings["is_trained"]
        model.best_epoch = settings["best_epoch"]
        model.history_ = {k: pd.DataFrame(v).set_index(next(iter(v))) for k, v in settings["history"].items()}
        return model


def _cell_count(value, *, what: str, minimum: int) -> int:
    """A number of cells as an int, or a ValueError naming `what` and the accepted forms."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        msg = (
            f"{what} must be an integer >= {minimum}, got {value!r}. Pass a number of cells, a mapping "
            "label -> number of cells, or a DataFrame with one row per cell."
        )
        raise ValueError(msg)
    return int(value)


def _jsonable(value):
    """Plain JSON types for settings (tuples to lists, numpy scalars to Python)."""
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _template_anndata(settings: dict) -> AnnData:
    """A tiny AnnData with the saved genes, categories and covariates, to rebuild a model without data."""
    # three cells per category: scvi-tools warns about categories with fewer
    n = 3 * max([len(c) for c in settings["categories"].values()] + [1])
    obs = pd.DataFrame(index=[f"template_{i}" for i in range(n)])
    for key, categories in settings["categories"].items():
        obs[key] = pd.Categorical([categories[i % len(categories)] for i in range(n)], categories=categories)
    setup = settings["setup_args"]
    for key in as_key_list(setup["covariate_keys"]):
        obs[key] = 0.0
    adata = AnnData(
        X=sp.csr_matrix((n, len(settings["var_names"])), dtype=np.int32),
        obs=obs,
        var=pd.DataFrame(index=settings["var_names"]),
    )
    if setup["layer"] is not None:
        adata.layers[setup["layer"]] = adata.X.copy()
    if setup["covariate_obsm_key"] is not None:
        n_obsm = len(settings["covariate_names"]) - len(as_key_list(setup["covariate_keys"]))
        adata.obsm[setup["covariate_obsm_key"]] = np.zeros((n, n_obsm), dtype=np.float32)
    return adata


def _check_compatible(adata: AnnData, settings: dict) -> None:
    """Raise if `adata`'s genes or condition categories differ from the saved model's."""
    check_nonempty(adata)
    if list(map(str, adata.var_names)) != settings["var_names"]:
        missing = sorted(set(settings["var_names"]) - set(map(str, adata.var_names)))
        msg = (
            f"adata's genes differ from the model's ({len(settings['var_names'])} genes; {len(missing)} missing, "
            f"e.g. {missing[:5]}). Subset adata to the model's genes in the same order."
        )
        raise ValueError(msg)
    for key, categories in settings["categories"].items():
        check_obs_key(adata, key)
        unknown = sorted(set(adata.obs[key].astype(str)) - set(categories))
        if unknown:
            msg = f"adata.obs[{key!r}] has labels {unknown} that the model was not trained on ({categories})."
            raise ValueError(msg)
        adata.obs[key] = pd.Categorical(adata.obs[key].astype(str), categories=categories)


__all__ = ["SCGAN"]
