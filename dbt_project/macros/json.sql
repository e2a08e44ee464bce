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

{#- Spark (docs/spark.md, "JSON evidence"). Objects are built with to_json(named_struct)
    and nested values travel as VARIANT (parse_json), so the text has DuckDB's shape:
    keys in the given order, nulls kept ("k":null), no spaces, UTF-8 unescaped,
    timestamps as 'yyyy-MM-dd HH:mm:ss' (the contract's timestamps have whole seconds).
    Numbers may print differently (Spark 1.0E-4, DuckDB 0.0001): same values. -#}
{% macro spark_json_options() -%}
    map('ignoreNullFields', 'false',
        'timestampFormat', 'yyyy-MM-dd HH:mm:ss',
        'timestampNTZFormat', 'yyyy-MM-dd HH:mm:ss',
        'dateFormat', 'yyyy-MM-dd')
{%- endmacro %}

{% macro spark__json_object(pairs) -%}
    to_json(named_struct(
        {%- for key, expr in pairs %}
        '{{ key }}', {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ), {{ spark_json_options() }})
{%- endmacro %}

{#- collect_list drops nulls and has no ORDER BY: each value travels as its JSON text in
    a struct behind its sort keys (each preceded by an is-null flag, for DuckDB's NULLS
    LAST), the structs are sorted, and the texts joined. A null value stays `null` in the
    array, as in DuckDB's list(). No rows give null, as DuckDB's list() does. -#}
{% macro spark__json_array_agg(expr, order_by) -%}
    {%- set keys = [] -%}
    {%- for part in order_by.split(',') -%}
        {%- set key = part | trim -%}
        {%- if ' ' in key or '(' in key -%}
            {{ exceptions.raise_compiler_error("json_array_agg on Spark takes plain ascending sort columns, not '" ~ key ~ "'") }}
        {%- endif -%}
        {%- do keys.append(key) -%}
    {%- endfor -%}
    case when count(*) > 0 then concat('[', array_join(transform(array_sort(collect_list(named_struct(
        {%- for key in keys %}
        'n{{ loop.index }}', {{ key }} is null, 'k{{ loop.index }}', {{ key }},
        {%- endfor %}
        'json', substring(to_json(array({{ expr }}), {{ spark_json_options() }}), 2,
                          length(to_json(array({{ expr }}), {{ spark_json_options() }})) - 2)
    ))), element -> element.json), ','), ']') end
{%- endmacro %}

{% macro spark__json_value(expr) -%}
    parse_json({{ expr }})
{%- endmacro %}

{% macro spark__json_object_agg(key_expr, value_expr) -%}
    coalesce(to_json(map_from_entries(array_sort(collect_list(
        struct({{ key_expr }}, {{ value_expr }})
    )))), '{}')
{%- endmacro %}
