"""The package's version, on the ground floor: the estimators store it in what they pickle."""

__version__ = "0.1.0"
