"""Jiceng (基层): urban grassroots party building and building services."""

__version__ = "0.1.0"
