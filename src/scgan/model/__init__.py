"""The AnnData-facing model, on scvi-tools' framework."""

__all__: list[str] = []
