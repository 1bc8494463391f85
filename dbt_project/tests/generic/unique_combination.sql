{# Fails on every combination of `columns` that occurs more than once. (dbt packages cannot be
   downloaded on the build machines, so this small test lives here instead of dbt_utils.) #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
