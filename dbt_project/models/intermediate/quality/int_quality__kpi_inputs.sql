-- Which raw tables each KPI component model reads, from the dbt DAG (macro kpi_input_tables walks
-- dbt's graph from every model fct_kpi_observations unions up to its sources; catalogue §10.3,
-- §10.23). No hand-kept list: a model that reads another source is capped by its checks too.
{% set pairs = kpi_input_tables() %}
{% if pairs %}
select component_model, raw_table
from (values
    {%- for model, table in pairs %}
    ('{{ model }}', '{{ table }}'){% if not loop.last %},{% endif %}
    {%- endfor %}
) as lineage(component_model, raw_table)
{% else %}
select cast(null as varchar) as component_model, cast(null as varchar) as raw_table
where false
{% endif %}
