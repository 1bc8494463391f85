{#
  The int_kpi_* models fct_kpi_observations unions, one list per KPI group so each group's
  author edits only its own macro file (kpi_components_<group>.sql). Every model listed must
  deliver the component contract documented in fct_kpi_observations.sql.
#}
{% macro kpi_components() %}
    {{ return(
        kpi_components_financial()
        + kpi_components_client()
        + kpi_components_internal_process()
        + kpi_components_learning_growth()
    ) }}
{% endmacro %}
