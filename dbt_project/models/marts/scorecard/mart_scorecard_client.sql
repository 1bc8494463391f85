-- Scorecard of the client perspective (catalogue §2), every grain and entity.
{{ scorecard_perspective('client') }}
