"""Saving and loading: JSON settings and safetensors weights in a folder, never executing code from the files."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from anndata import AnnData
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from scgan._utils import as_key_list, check_nonempty, check_obs_key, jsonable

SETTINGS_FILE = "settings.json"
WEIGHTS_FILE = "model.safetensors"
FORMAT_VERSION = 1
POOL_BUFFERS = ("library_sizes", "pool_categorical", "pool_continuous", "pool_weights")


class PersistenceMixin:
    """:meth:`save` and :meth:`load` for :class:`~scgan.model.SCGAN`."""

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
            "init_params": jsonable(self.init_params_["non_kwargs"]),
            "setup_args": jsonable(self._setup_args()),
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
            (staging / SETTINGS_FILE).write_text(json.dumps(settings, indent=1, default=jsonable))
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
    def load(cls, dir_path: str | Path, adata: AnnData | None = None):
        """Load a saved model without executing code from the files (JSON settings, safetensors weights).

        Parameters
        ----------
        dir_path
            Folder written by :meth:`save`.
        adata
            Optional data to attach (to train further); its genes and condition labels must match the model's.
            It is not changed: the model is attached to a new AnnData that shares its matrices.

        Returns
        -------
        The trained model. With the same `random_state`, :meth:`generate` gives the same cells as before saving.
        """
        path = Path(dir_path)
        settings = _read_settings(path)
        state = _read_weights(path)
        setup = settings["setup_args"]
        if adata is None:
            adata = _template_anndata(settings)
        else:
            adata = _attachable_copy(adata, settings)
        cls.setup_anndata(
            adata,
            condition_keys=setup["condition_keys"],
            layer=setup["layer"],
            covariate_keys=setup["covariate_keys"],
            covariate_obsm_key=setup["covariate_obsm_key"],
        )
        model = cls(adata, **settings["init_params"])
        for name in POOL_BUFFERS:
            setattr(model.module, name, state[name])
        try:
            model.module.load_state_dict(state)
        except RuntimeError as error:
            msg = f"{path / WEIGHTS_FILE} does not hold the weights of the model in {path / SETTINGS_FILE}: {error}"
            raise ValueError(msg) from None
        model.module.eval()
        model.is_trained_ = settings["is_trained"]
        model.best_epoch = settings["best_epoch"]
        model.history_ = {k: pd.DataFrame(v).set_index(next(iter(v))) for k, v in settings["history"].items()}
        return model


def _read_settings(path: Path) -> dict:
    """The settings of a saved model, or an error naming the file that is missing, foreign or corrupted."""
    if not path.is_dir():
        msg = f"{path} is not a folder; pass the folder written by model.save()."
        raise FileNotFoundError(msg)
    for name in (SETTINGS_FILE, WEIGHTS_FILE):
        if not (path / name).is_file():
            msg = f"{path} is not a saved scgan model: {name} is missing (a model folder holds {SETTINGS_FILE} and {WEIGHTS_FILE})."
            raise FileNotFoundError(msg)
    try:
        settings = json.loads((path / SETTINGS_FILE).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        msg = f"{path / SETTINGS_FILE} is not valid JSON ({error}); the file is corrupted."
        raise ValueError(msg) from None
    if not isinstance(settings, dict) or settings.get("format_version") != FORMAT_VERSION:
        found = settings.get("format_version") if isinstance(settings, dict) else None
        msg = (
            f"{path / SETTINGS_FILE} is not an scgan model file of format {FORMAT_VERSION} (found format "
            f"{found!r}); save the model again with this version of scgan."
        )
        raise ValueError(msg)
    return settings


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    try:
        state = load_file(str(path / WEIGHTS_FILE))
    except (SafetensorError, OSError) as error:
        msg = f"{path / WEIGHTS_FILE} cannot be read as safetensors weights ({error}); the file is corrupted."
        raise ValueError(msg) from None
    missing = [name for name in POOL_BUFFERS if name not in state]
    if missing:
        msg = f"{path / WEIGHTS_FILE} lacks {missing}; it was not written by scgan's model.save()."
        raise ValueError(msg)
    return state


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


def _attachable_copy(adata: AnnData, settings: dict) -> AnnData:
    """A new AnnData sharing `adata`'s matrices, its condition columns in the model's category order.

    Raises if `adata`'s genes or condition labels differ from the saved model's.
    """
    check_nonempty(adata)
    if list(map(str, adata.var_names)) != settings["var_names"]:
        missing = sorted(set(settings["var_names"]) - set(map(str, adata.var_names)))
        msg = (
            f"adata's genes differ from the model's ({len(settings['var_names'])} genes; {len(missing)} missing, "
            f"e.g. {missing[:5]}). Subset adata to the model's genes in the same order."
        )
        raise ValueError(msg)
    obs = adata.obs.copy()
    for key, categories in settings["categories"].items():
        check_obs_key(adata, key)
        unknown = sorted(set(obs[key].astype(str)) - set(categories))
        if unknown:
            msg = f"adata.obs[{key!r}] has labels {unknown} that the model was not trained on ({categories})."
            raise ValueError(msg)
        obs[key] = pd.Categorical(obs[key].astype(str), categories=categories)
    return AnnData(X=adata.X, obs=obs, var=adata.var.copy(), layers=dict(adata.layers), obsm=dict(adata.obsm), uns={})
