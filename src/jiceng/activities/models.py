"""Data and invariants of the activities app."""
