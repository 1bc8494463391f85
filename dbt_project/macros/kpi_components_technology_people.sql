{# int_kpi_* models of the technology people KPI group (see kpi_components.sql). #}
{% macro kpi_components_technology_people() %}
    {{ return([]) }}
{% endmacro %}
