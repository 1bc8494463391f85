"""Data-quality standards (SOP-007 §4.3) enforced with Great Expectations."""
