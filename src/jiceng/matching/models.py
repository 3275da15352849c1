"""Data and invariants of the matching app."""
