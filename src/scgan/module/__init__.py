"""Pure torch networks and losses: tensors in, tensors out."""

from scgan.module._counts import (
    COUNT_HEADS,
    draw_integer_counts,
    draw_poisson,
    log_normalize,
    sample_counts,
    straight_through,
)
from scgan.module._gan import ConditionalGAN
from scgan.module._losses import LOSSES, critic_loss, generator_loss, gradient_penalty
from scgan.module._networks import ConditionEmbedding, Critic, Generator

__all__ = [
    "COUNT_HEADS",
    "LOSSES",
    "ConditionEmbedding",
    "ConditionalGAN",
    "Critic",
    "Generator",
    "critic_loss",
    "draw_integer_counts",
    "draw_poisson",
    "generator_loss",
    "gradient_penalty",
    "log_normalize",
    "sample_counts",
    "straight_through",
]
