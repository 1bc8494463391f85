{# int_kpi_* models of the operations KPI group (see kpi_components.sql). #}
{% macro kpi_components_operations() %}
    {{ return([
        'int_kpi_operations_dialer',
        'int_kpi_operations_dialer_correction',
        'int_kpi_operations_productivity',
        'int_kpi_operations_utilization',
        'int_kpi_operations_revenue_per_hour',
        'int_kpi_operations_disputes',
        'int_kpi_operations_quality',
        'int_kpi_operations_compliance',
        'int_kpi_operations_production',
        'int_kpi_operations_leads',
        'int_kpi_operations_sales_cycle',
        'int_kpi_operations_support_volume',
    ]) }}
{% endmacro %}
