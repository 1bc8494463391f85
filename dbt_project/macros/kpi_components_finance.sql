{# int_kpi_* models of the finance KPI group (see kpi_components.sql). #}
{% macro kpi_components_finance() %}
    {{ return(['int_kpi_mrr']) }}
{% endmacro %}
