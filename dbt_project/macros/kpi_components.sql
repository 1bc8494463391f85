{#
  The int_kpi_* models fct_kpi_observations unions, one list per KPI group so each group's
  author edits only its own macro file (kpi_components_<group>.sql). Every model listed must
  deliver the component contract documented in fct_kpi_observations.sql.
#}
{% macro kpi_components() %}
    {{ return(
        kpi_components_finance()
        + kpi_components_client()
        + kpi_components_onboarding()
        + kpi_components_operations()
        + kpi_components_technology_people()
    ) }}
{% endmacro %}
