"""The checked settings of one oversampling benchmark, with errors that say what to pass instead."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from anndata import AnnData

from scgan._utils import categorical, check_nonempty, check_obs_key
from scgan.benchmark._arms import ARMS, Arm, generator_arm, takes_options
from scgan.benchmark._fold import Generator
from scgan.metrics._oversampling import CLASSIFIERS, FEATURE_SPACES


@dataclass(frozen=True)
class Setup:
    """Checked settings: arms by name (options bound), everything else as passed, sequences as lists."""

    key: str
    rare: str
    n_rare: list[int]
    arms: dict[str, Arm]
    classifiers: list[str]
    features: list[str]
    n_seeds: int
    test_size: float
    target: str | int
    n_top_genes: int
    layer: str | None
    random_state: int
    model_kwargs: dict[str, dict]

    @property
    def seeds(self) -> list[int]:
        """One seed per split: `random_state`, `random_state + 1`, ..."""
        return [self.random_state + i for i in range(self.n_seeds)]

    def params(self) -> dict:
        """The settings as recorded with the results (arm names, not the arms)."""
        return {
            "key": self.key,
            "rare": self.rare,
            "n_rare": self.n_rare,
            "methods": list(self.arms),
            "classifiers": self.classifiers,
            "features": self.features,
            "n_seeds": self.n_seeds,
            "test_size": self.test_size,
            "target": self.target,
            "n_top_genes": self.n_top_genes,
            "layer": self.layer,
            "random_state": self.random_state,
            "model_kwargs": self.model_kwargs,
        }


def check_setup(
    adata: AnnData,
    *,
    key: str,
    rare: str,
    n_rare: int | Sequence[int],
    methods: Sequence[str],
    classifiers: Sequence[str],
    features: Sequence[str],
    n_seeds: int,
    test_size: float,
    target: str | int,
    n_top_genes: int,
    layer: str | None,
    random_state: int,
    model_kwargs: Mapping[str, Mapping] | None,
    extra_methods: Mapping[str, Generator] | None,
) -> Setup:
    """Check every setting against `adata` and the registries; raise naming what to pass instead."""
    check_nonempty(adata)
    check_obs_key(adata, key)
    names = sorted(set(categorical(adata.obs[key]).astype(str)))
    if str(rare) not in names:
        msg = f"Label {rare!r} not found in adata.obs[{key!r}]. Available labels: {names}."
        raise ValueError(msg)
    n_rare = [n_rare] if isinstance(n_rare, int | np.integer) else [int(n) for n in n_rare]
    model_kwargs = {name: dict(options) for name, options in (model_kwargs or {}).items()}
    arms = _arms(methods, dict(extra_methods or {}), model_kwargs)
    _check_numbers(n_rare=n_rare, n_seeds=n_seeds, test_size=test_size, target=target, n_top_genes=n_top_genes)
    return Setup(
        key=key,
        rare=str(rare),
        n_rare=n_rare,
        arms=arms,
        classifiers=_check_choices(classifiers, list(CLASSIFIERS), "classifier"),
        features=_check_choices(features, list(FEATURE_SPACES), "features"),
        n_seeds=n_seeds,
        test_size=test_size,
        target=target,
        n_top_genes=n_top_genes,
        layer=layer,
        random_state=random_state,
        model_kwargs=model_kwargs,
    )


def _arms(methods: Sequence[str], extra_methods: dict[str, Generator], model_kwargs: dict) -> dict[str, Arm]:
    """Registered arms with their options bound, then the user's generator arms."""
    chosen = _check_choices(methods, list(ARMS), "method")
    clash = sorted(set(extra_methods) & set(ARMS))
    if clash:
        msg = f"extra_methods {clash} reuse built-in method names; give your arms other names."
        raise ValueError(msg)
    if not chosen and not extra_methods:
        msg = f"Pass at least one method (known: {list(ARMS)}) or an extra_methods callable."
        raise ValueError(msg)
    configurable = [name for name, arm in ARMS.items() if takes_options(arm)]
    unknown = sorted(set(model_kwargs) - set(configurable))
    if unknown:
        msg = f"model_kwargs has keys {unknown}; it takes keyword arguments per generator arm: {configurable}."
        raise ValueError(msg)
    arms = {name: functools.partial(ARMS[name], **model_kwargs.get(name, {})) for name in chosen}
    return arms | {name: generator_arm(generator, name=name) for name, generator in extra_methods.items()}


def _check_choices(chosen: Sequence[str], known: list[str], what: str) -> list[str]:
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        msg = f"Unknown {what} {unknown}. Known: {known}."
        raise ValueError(msg)
    return chosen


def _check_numbers(*, n_rare: list[int], n_seeds: int, test_size: float, target: str | int, n_top_genes: int) -> None:
    if not n_rare or min(n_rare) < 1:
        msg = f"n_rare must be one or more positive numbers of rare training cells, got {n_rare}."
        raise ValueError(msg)
    if n_seeds < 1:
        msg = f"n_seeds must be at least 1, got {n_seeds}."
        raise ValueError(msg)
    if not 0 < test_size < 1:
        msg = f"test_size must be between 0 and 1 (a fraction of cells), got {test_size}."
        raise ValueError(msg)
    if not (target == "median" or (isinstance(target, int | np.integer) and target >= 1)):
        msg = f"target must be 'median' or a positive number of cells, got {target!r}."
        raise ValueError(msg)
    if n_top_genes < 1:
        msg = f"n_top_genes must be at least 1, got {n_top_genes}."
        raise ValueError(msg)
