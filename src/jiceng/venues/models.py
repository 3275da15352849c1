"""Data and invariants of the venues app."""
