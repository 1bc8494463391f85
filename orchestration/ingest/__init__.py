"""Loss-free loading of landing files into DuckDB's `raw` schema."""
