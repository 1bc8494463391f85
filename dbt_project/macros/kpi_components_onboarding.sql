{# int_kpi_* models of the onboarding KPI group (see kpi_components.sql). #}
{% macro kpi_components_onboarding() %}
    {{ return([]) }}
{% endmacro %}
