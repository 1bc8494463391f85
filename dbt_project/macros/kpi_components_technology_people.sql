{# int_kpi_* models of the technology people KPI group (see kpi_components.sql): the
   technology rows of catalogue §2.3 and the learning & growth rows of §2.4. #}
{% macro kpi_components_technology_people() %}
    {{ return([
        'int_kpi_system_uptime',
        'int_kpi_automation',
        'int_kpi_api',
        'int_kpi_integrations',
        'int_kpi_backup_success_rate',
        'int_kpi_security_incident_rate',
        'int_kpi_product_usage',
        'int_kpi_data_accuracy_rate',
        'int_kpi_employee_satisfaction',
        'int_kpi_employee_retention_turnover',
        'int_kpi_training',
        'int_kpi_performance_reviews',
        'int_kpi_internal_promotion_rate',
        'int_kpi_certification_maintenance_rate',
        'int_kpi_innovation_contribution_rate',
    ]) }}
{% endmacro %}
