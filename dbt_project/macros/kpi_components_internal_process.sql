{# int_kpi_* models of the internal process perspective (see kpi_components.sql). #}
{% macro kpi_components_internal_process() %}
    {{ return([]) }}
{% endmacro %}
