"""Pure torch networks and losses: tensors in, tensors out."""

__all__: list[str] = []
