"""Fixtures of the model tests."""

import pytest


@pytest.fixture
def training_plans(monkeypatch):
    """Every GANTrainingPlan created during the test, in order."""
    from scgan.model._training_plan import GANTrainingPlan

    plans = []
    original = GANTrainingPlan.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        plans.append(self)

    monkeypatch.setattr(GANTrainingPlan, "__init__", spy)
    return plans
