"""Reports for executives, managers and stewards, read from the analytics snapshot.

Every report reads `data/analytics.duckdb` read-only (never the working warehouse, which a
refresh may hold locked) and writes Markdown (email/Slack) and HTML into `data/reports/`.
"""
