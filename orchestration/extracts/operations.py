"""Generator for the operations extracts (not written yet)."""

from __future__ import annotations

from orchestration.extracts.context import Writer

WRITERS: dict[str, Writer] = {}
