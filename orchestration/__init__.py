"""Scorecard: a KPI performance warehouse built on Dagster, dbt-duckdb and Great Expectations."""
