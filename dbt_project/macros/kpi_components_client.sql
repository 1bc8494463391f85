{# int_kpi_* models of the client KPI group (see kpi_components.sql). #}
{% macro kpi_components_client() %}
    {{ return([
        'int_kpi_client_surveys',
        'int_kpi_client_retention',
        'int_kpi_client_tickets',
        'int_kpi_client_response_time',
        'int_kpi_client_disputes',
        'int_kpi_client_credit_outcomes',
        'int_kpi_client_qa',
        'int_kpi_client_marketing',
    ]) }}
{% endmacro %}

{#
  The (kpi_id, grain, entity_type) combinations a client-group model computes, as a relation:
  the time grains and entity grains the catalogue row lists (seed kpi_definitions), so a model
  joins its records only to the periods and entities it must deliver. `scope` maps each kpi_id
  to {'grains': [...int_kpi_periods.grain...], 'entities': [...entity_type...]}.
#}
{% macro client_kpi_scope(scope) %}
    {%- set rows = [] -%}
    {%- for kpi_id, spec in scope.items() -%}
        {%- for grain in spec['grains'] -%}
            {%- for entity_type in spec['entities'] -%}
                {%- do rows.append("('" ~ kpi_id ~ "', '" ~ grain ~ "', '" ~ entity_type ~ "')") -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    select * from (values {{ rows | join(', ') }}) as scope (kpi_id, grain, entity_type)
{% endmacro %}
