"""Tools: train, generate, augment, evaluate, benchmark."""

__all__: list[str] = []
