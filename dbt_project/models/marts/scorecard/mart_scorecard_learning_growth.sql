-- Scorecard of the learning_growth perspective (catalogue §2), every grain and entity.
{{ scorecard_perspective('learning_growth') }}
