-- Scorecard of the financial perspective (catalogue §2), every grain and entity.
{{ scorecard_perspective('financial') }}
