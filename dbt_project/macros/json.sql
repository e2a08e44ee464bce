{#- Evidence JSON (outputs.md, marts.alerts.evidence) as text, engine by engine. -#}

{#- pairs: a list of (key, sql expression) pairs; returns a JSON object as text. -#}
{% macro json_object(pairs) -%}
    {{ return(adapter.dispatch('json_object', 'searchlight')(pairs)) }}
{%- endmacro %}

{% macro duckdb__json_object(pairs) -%}
    cast(json_object(
        {%- for key, expr in pairs %}
        '{{ key }}', {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro default__json_object(pairs) -%}
    cast(json_build_object(
        {%- for key, expr in pairs %}
        '{{ key }}', {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as text)
{%- endmacro %}

{#- An aggregate: the values of expr (in order_by order) as a JSON array (json, not text,
    so it nests inside json_object). -#}
{% macro json_array_agg(expr, order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'searchlight')(expr, order_by)) }}
{%- endmacro %}

{% macro duckdb__json_array_agg(expr, order_by) -%}
    to_json(list({{ expr }} order by {{ order_by }}))
{%- endmacro %}

{% macro default__json_array_agg(expr, order_by) -%}
    json_agg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{#- A JSON text column (an already aggregated array) to nest inside json_object. -#}
{% macro json_value(expr) -%}
    {{ return(adapter.dispatch('json_value', 'searchlight')(expr)) }}
{%- endmacro %}

{% macro duckdb__json_value(expr) -%}
    cast({{ expr }} as json)
{%- endmacro %}

{% macro default__json_value(expr) -%}
    cast({{ expr }} as json)
{%- endmacro %}

{#- reason -> count pairs (one row per key) aggregated into one JSON object as text, keys
    in sorted order: the same rows must give the same text on every run (the incremental
    test compares it, and users diff it). DuckDB's json_group_object is a macro that takes
    no ORDER BY, so the object is built from an ordered map. -#}
{% macro json_object_agg(key_expr, value_expr) -%}
    {{ return(adapter.dispatch('json_object_agg', 'searchlight')(key_expr, value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_object_agg(key_expr, value_expr) -%}
    coalesce(cast(to_json(map_from_entries(
        list(({{ key_expr }}, {{ value_expr }}) order by {{ key_expr }})
    )) as varchar), '{}')
{%- endmacro %}

{% macro default__json_object_agg(key_expr, value_expr) -%}
    coalesce(cast(json_object_agg({{ key_expr }}, {{ value_expr }} order by {{ key_expr }}) as text), '{}')
{%- endmacro %}

{#- The value of one top-level key of a JSON text as text: a string without its quotes,
    a number or boolean as the JSON spells it (25, 0.2, true), null when the key is absent
    or null. Used by the explanations (macros/explanations.sql). -#}
{% macro json_text(json_expr, key) -%}
    {{ return(adapter.dispatch('json_text', 'searchlight')(json_expr, key)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_expr, key) -%}
    json_extract_string({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}

{% macro default__json_text(json_expr, key) -%}
    (cast({{ json_expr }} as json) ->> '{{ key }}')
{%- endmacro %}
