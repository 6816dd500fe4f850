"""minyi (民意): a district's public demands through one closed loop."""

__version__ = "0.1.0"
