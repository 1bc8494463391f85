{# int_kpi_* models of the client KPI group (see kpi_components.sql). #}
{% macro kpi_components_client() %}
    {{ return([]) }}
{% endmacro %}
