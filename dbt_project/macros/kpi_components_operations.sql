{# int_kpi_* models of the operations KPI group (see kpi_components.sql). #}
{% macro kpi_components_operations() %}
    {{ return([]) }}
{% endmacro %}
