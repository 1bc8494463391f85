"""Deterministic, correlated demo extracts for every source (`scorecard generate`)."""
