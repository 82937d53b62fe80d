"""Autolog integrations: one module per third-party library, each with `autolog(disable=False)`."""
