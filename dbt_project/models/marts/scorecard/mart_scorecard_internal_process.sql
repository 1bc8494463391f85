-- Scorecard of the internal_process perspective (catalogue §2), every grain and entity.
{{ scorecard_perspective('internal_process') }}
