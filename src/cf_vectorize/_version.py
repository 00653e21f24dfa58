"""The one place the project's version is kept (read by packaging and the generator)."""

__version__ = "0.1.0"
