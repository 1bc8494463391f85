"""Dagster assets, one module per layer: ingest, dbt, quality."""
