"""Training curves of a model: losses, the Wasserstein estimate and the validation MMD, with the best epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from scgan.pl._base import doc_params, finish, make_axes

# panel -> (title, y label, the history keys it draws and their legend labels)
PANELS: dict[str, tuple[str, str, dict[str, str]]] = {
    "loss": ("Losses", "loss", {"critic_loss": "critic", "generator_loss": "generator"}),
    "wasserstein": (
        "Wasserstein estimate",
        "value",
        {"wasserstein": "Wasserstein estimate", "gradient_penalty": "gradient penalty"},
    ),
    "validation_mmd": ("Validation MMD (lower is better)", "MMD", {"validation_mmd": "validation MMD"}),
}


@doc_params
def history(
    model,
    *,
    panels: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    show: bool | None = None,
    return_fig: bool = False,
) -> Figure | Axes | list[Axes] | None:
    """Plot the training curves of a model: losses, Wasserstein estimate and validation MMD per epoch.

    One panel per group of curves: ``"loss"`` (critic and generator loss), ``"wasserstein"`` (the critic's
    Wasserstein estimate and the gradient penalty) and ``"validation_mmd"`` (MMD between validation cells and
    generated cells, log scale when it falls by more than a decade). The epoch of the best kept generator
    (``model.best_epoch``) is marked on every panel.

    Parameters
    ----------
    model
        A trained :class:`scgan.model.SCGAN`, or any object with a ``history`` dict (and optionally a
        ``best_epoch``), or that dict itself: history key -> DataFrame indexed by epoch with one column of values
        (scvi-tools' ``model.history``).
    panels
        Panels to draw, among ``"loss"``, ``"wasserstein"`` and ``"validation_mmd"``; `None` draws those whose
        curves are in the history.
    figsize
        Size of a new figure; `None` sizes it by the number of panels.
    ax
        Axes to draw on, one per panel; `None` creates a figure.
    {show_return_fig}

    {returns_axes}
    """
    curves, best_epoch = _curves(model)
    if panels is None:
        panels = [name for name, (_, _, keys) in PANELS.items() if any(key in curves for key in keys)]
    else:
        panels = list(panels)
        for name in panels:
            if name not in PANELS:
                msg = f"Unknown panel {name!r}; choose from {list(PANELS)}."
                raise ValueError(msg)
            if not any(key in curves for key in PANELS[name][2]):
                msg = f"Panel {name!r} needs history key(s) {list(PANELS[name][2])}; the history has {list(curves)}."
                raise KeyError(msg)
    if not panels:
        msg = f"The history has none of the curves this plot draws ({[k for p in PANELS.values() for k in p[2]]})."
        raise KeyError(msg)

    fig, axes = make_axes(len(panels), ax=ax, figsize=figsize, panel_size=(3.8, 3.0))
    for axis, name in zip(axes, panels, strict=True):
        title, ylabel, keys = PANELS[name]
        drawn = [curves[key] for key in keys if key in curves]
        for key, label in keys.items():
            if key in curves:
                axis.plot(
                    curves[key].index,
                    curves[key].to_numpy(),
                    label=label,
                    marker="." if len(curves[key]) < 30 else None,
                )
        values = pd.concat(drawn).dropna()
        # a log scale only helps when the MMD falls by more than a decade
        if name == "validation_mmd" and (values > 0).all() and values.max() > 10 * values.min():
            axis.set_yscale("log")
        if best_epoch is not None:
            axis.axvline(best_epoch, color="grey", linestyle=":", linewidth=1.2, label=f"best epoch ({best_epoch})")
            if name == "validation_mmd" and best_epoch in curves["validation_mmd"].index:
                axis.plot(
                    best_epoch, curves["validation_mmd"].loc[best_epoch], marker="*", markersize=11, color="black"
                )
        axis.set(title=title, xlabel="epoch", ylabel=ylabel)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        axis.legend(fontsize="small", frameon=False)
    return finish(fig, axes, show=show, return_fig=return_fig)


def _curves(model) -> tuple[dict[str, pd.Series], int | None]:
    """The history as float Series indexed by epoch, and the best epoch (None when unknown)."""
    if isinstance(model, Mapping):
        history_, best_epoch = model, None
    else:
        if not hasattr(model, "history"):
            msg = f"{type(model).__name__} has no `history`; pass a trained scgan model or its history dict."
            raise TypeError(msg)
        history_, best_epoch = model.history, getattr(model, "best_epoch", None)
    if not history_:
        msg = "The model has no training history; train it first (scgan.tl.train or model.train)."
        raise ValueError(msg)
    curves = {}
    for key, frame in history_.items():
        if isinstance(frame, pd.DataFrame):
            if frame.shape[1] == 0:
                msg = f"History {key!r} has no column of values."
                raise ValueError(msg)
            frame = frame[key] if key in frame.columns else frame.iloc[:, 0]
        curves[key] = pd.Series(frame).astype(float)
    if best_epoch is not None and not (isinstance(best_epoch, float) and np.isnan(best_epoch)):
        best_epoch = int(best_epoch)
    else:
        best_epoch = None
    return curves, best_epoch
