{# Stripe amounts are integer cents. #}
{% macro cents_to_dollars(column_name) -%}
    ({{ column_name }} / 100.0)
{%- endmacro %}

{# Stripe timestamps are epoch seconds; staging keeps instants as naive UTC timestamps. #}
{% macro epoch_to_timestamp(column_name) -%}
    {{ return(adapter.dispatch('epoch_to_timestamp', 'scorecard')(column_name)) }}
{%- endmacro %}

{% macro default__epoch_to_timestamp(column_name) -%}
    cast(timezone('UTC', to_timestamp({{ column_name }})) as timestamp)
{%- endmacro %}

{# A local wall-clock time in the business time zone (catalogue §1.1) as naive UTC. #}
{% macro local_to_utc(column_name) -%}
    {{ return(adapter.dispatch('local_to_utc', 'scorecard')(column_name)) }}
{%- endmacro %}

{% macro default__local_to_utc(column_name) -%}
    cast(timezone('UTC', timezone('{{ var("company_tz") }}', cast({{ column_name }} as timestamp))) as timestamp)
{%- endmacro %}

{# A naive UTC instant as wall-clock time in the business time zone, for bucketing. #}
{% macro utc_to_local(column_name) -%}
    {{ return(adapter.dispatch('utc_to_local', 'scorecard')(column_name)) }}
{%- endmacro %}

{% macro default__utc_to_local(column_name) -%}
    cast(timezone('{{ var("company_tz") }}', timezone('UTC', cast({{ column_name }} as timestamp))) as timestamp)
{%- endmacro %}

{# Identifiers of people never leave staging in the clear (DESIGN.md §3): a salted hash. #}
{% macro pseudonymise(column_name) -%}
    case when {{ column_name }} is null then null
         else {{ dbt.hash(dbt.concat(["'" ~ var('pii_salt', 'scorecard') ~ ":'", column_name])) }}
    end
{%- endmacro %}

{# The run's evaluation time (catalogue §1.1), passed by the orchestrator as a var. #}
{% macro as_of() -%}
    {%- if var('as_of') -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}
