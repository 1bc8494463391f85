{# int_kpi_* models of the learning growth perspective (see kpi_components.sql). #}
{% macro kpi_components_learning_growth() %}
    {{ return([]) }}
{% endmacro %}
