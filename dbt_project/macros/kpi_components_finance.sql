{# int_kpi_* models of the finance KPI group (see kpi_components.sql). #}
{% macro kpi_components_finance() %}
    {{ return([
        'int_kpi_mrr',
        'int_kpi_finance_margins',
        'int_kpi_finance_balance_sheet',
        'int_kpi_finance_trailing',
        'int_kpi_finance_acquisition',
        'int_kpi_finance_cost_per_dispute',
        'int_kpi_finance_sales',
        'int_kpi_finance_billing',
    ]) }}
{% endmacro %}
