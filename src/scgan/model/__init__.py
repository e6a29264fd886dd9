"""The AnnData-facing model, on scvi-tools' framework."""

from scgan.model._scgan import SCGAN
from scgan.model._training_plan import GANTrainingPlan

__all__ = ["SCGAN", "GANTrainingPlan"]
