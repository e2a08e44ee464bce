{#- The warning rule models, for the unions in marts (alerts, alert_first_detections,
    rule_coverage). The rules are listed once, in var `warning_rules` (dbt_project.yml):
    dbt must see every ref() when it parses a model to order the build, and at parse time
    the graph is still empty. At run time the list is checked against the graph, so a
    rule model in models/warnings that is missing from the var fails the build with its
    name, instead of being left out of the alerts silently.

    prefix: 'warn_' (alert rows) or 'cov_' (coverage rows). Returns a list of relations. -#}
{% macro warning_rule_relations(prefix) -%}
    {%- set relations = [] -%}
    {%- for rule in var('warning_rules') -%}
        {%- do relations.append(ref(prefix ~ rule)) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- set listed = [] -%}
        {%- for rule in var('warning_rules') -%}{%- do listed.append(prefix ~ rule) -%}{%- endfor -%}
        {%- for node in graph.nodes.values()
              if node.resource_type == 'model' and node.package_name == 'searchlight'
                 and node.name.startswith(prefix) and node.fqn[1] == 'warnings' -%}
            {%- if node.name not in listed -%}
                {{ exceptions.raise_compiler_error(
                    "warning rule model " ~ node.name ~ " is not listed in var warning_rules "
                    ~ "(dbt_project.yml): add '" ~ node.name[prefix | length:] ~ "' so marts.alerts "
                    ~ "and marts.rule_coverage include it") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(relations) }}
{%- endmacro %}

{#- select * from each relation, union all; columns listed so the order never matters. -#}
{% macro union_all(relations, columns) -%}
    {%- for relation in relations %}
    select {{ columns | join(', ') }} from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
