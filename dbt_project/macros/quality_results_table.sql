{#
  Creates quality.check_results if it does not exist yet, from the columns its source declares
  (models/marts/quality/_quality__sources.yml), the same list orchestration/quality/results.py
  creates it from. Run as a pre-hook of int_quality__check_results so the quality models build
  on a warehouse where no check has run yet (a first build, `dbt build --empty`).
#}
{% macro ensure_quality_results_table() %}
    {% if execute %}
        {% set node = graph.sources['source.' ~ project_name ~ '.quality.check_results'] %}
        {% set columns = [] %}
        {% for name, column in node.columns.items() %}
            {% do columns.append(adapter.quote(name) ~ ' ' ~ column.data_type) %}
        {% endfor %}
        create schema if not exists {{ node.schema }};
        create table if not exists {{ node.schema }}.{{ node.identifier }} ({{ columns | join(', ') }})
    {% endif %}
{% endmacro %}
