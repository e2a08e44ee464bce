{#- Custom schemas are used verbatim (staging, intermediate, marts, warnings), not
    prefixed with the target schema: docs/architecture.md, warehouse layout. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
