{#
  KPI -> input-entity lineage from the dbt DAG (catalogue §10.3, §10.23): for every model that
  fct_kpi_observations unions (kpi_components()), the raw tables (dbt sources) upstream of it,
  found by walking dbt's `graph` object. Nothing is listed by hand: a model that starts reading
  another source caps on that source's checks with no edit here.
  Returns a list of (model name, "<schema>.<identifier>") pairs; empty at parse time.
#}
{% macro kpi_input_tables() %}
    {% set pairs = [] %}
    {% if execute %}
        {% for model in kpi_components() %}
            {% for table in upstream_source_tables('model.' ~ project_name ~ '.' ~ model) %}
                {% do pairs.append((model, table)) %}
            {% endfor %}
        {% endfor %}
    {% endif %}
    {{ return(pairs) }}
{% endmacro %}

{# The source tables (schema.identifier) upstream of one node, sorted. #}
{% macro upstream_source_tables(unique_id) %}
    {% set seen = [] %}
    {% set tables = [] %}
    {% set queue = [unique_id] %}
    {# Jinja has no while loop: a breadth-first walk bounded by the size of the graph. #}
    {% for _ in range(graph.nodes | length + 1) %}
        {% if queue | length > 0 %}
            {% set current = queue.pop(0) %}
            {% if current not in seen %}
                {% do seen.append(current) %}
                {% if current in graph.sources %}
                    {% set source = graph.sources[current] %}
                    {% do tables.append(source.schema ~ '.' ~ source.identifier) %}
                {% elif current in graph.nodes %}
                    {% for parent in graph.nodes[current].depends_on.nodes %}
                        {% do queue.append(parent) %}
                    {% endfor %}
                {% endif %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {{ return(tables | unique | sort) }}
{% endmacro %}

{#
  (raw table, accuracy domain) of every extract, from the contract's own meta in the sources
  YAML (`accuracy_domain`), read through dbt's graph; empty at parse time.
#}
{% macro source_accuracy_domains() %}
    {% set pairs = [] %}
    {% if execute %}
        {% for source in graph.get('sources', {}).values() %}
            {% set domain = (source.config.meta or {}).get('accuracy_domain') or (source.meta or {}).get('accuracy_domain') %}
            {% if domain %}
                {% do pairs.append((source.schema ~ '.' ~ source.identifier, domain)) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(pairs | sort) }}
{% endmacro %}
