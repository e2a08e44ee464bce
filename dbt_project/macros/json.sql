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

{#- Spark: get_json_object gives a string without quotes, a number as JSON spells it. -#}
{% macro spark__json_text(json_expr, key) -%}
    get_json_object({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}

{#- Spark (docs/spark.md, "JSON evidence"). The text is assembled from each value's JSON
    text, so it has DuckDB's shape: keys in the given order (nested objects too: Spark's
    VARIANT would sort them), nulls kept ("k":null), no spaces, UTF-8 unescaped,
    timestamps as 'yyyy-MM-dd HH:mm:ss' (the contract's timestamps have whole seconds).
    Numbers may print differently (Spark keeps a decimal's scale, 75.00 for DuckDB's
    75.0, and writes 1.0E-4 for 0.0001): the same values. No VARIANT, so it also runs on
    Spark 3. -#}
{% macro spark_json_options() -%}
    map('timestampFormat', 'yyyy-MM-dd HH:mm:ss', 'timestampNTZFormat', 'yyyy-MM-dd HH:mm:ss', 'dateFormat', 'yyyy-MM-dd')
{%- endmacro %}

{#- json_value() marks an expression that already is JSON text, so json_object and
    json_array_agg insert it as it is instead of quoting it as a string. -#}
{% macro spark_json_text_marker() -%}/* json text */{%- endmacro %}

{#- The JSON text of one value: a scalar through to_json of a one-element array (to_json
    takes no scalar), without the brackets; JSON text as it is; SQL null as null. -#}
{% macro spark_json_text(expr) -%}
    {%- if expr is string and expr.startswith(spark_json_text_marker()) -%}
    coalesce({{ expr }}, 'null')
    {%- else -%}
    regexp_extract(to_json(array({{ expr }}), {{ spark_json_options() }}), '^\\[(.*)\\]$', 1)
    {%- endif -%}
{%- endmacro %}

{% macro spark__json_object(pairs) -%}
    concat('{',
        {%- for key, expr in pairs %}
        {%- if not modules.re.fullmatch('[A-Za-z0-9_]+', key) %}
            {{ exceptions.raise_compiler_error("json_object: key '" ~ key ~ "' must be letters, digits or _") }}
        {%- endif %}
        '{{ "," if not loop.first }}"{{ key }}":', {{ spark_json_text(expr) }},
        {%- endfor %}
        '}')
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
        'json', {{ spark_json_text(expr) }}
    ))), element -> element.json), ','), ']') end
{%- endmacro %}

{% macro spark__json_value(expr) -%}
    {{ spark_json_text_marker() }} {{ expr }}
{%- endmacro %}

{% macro spark__json_object_agg(key_expr, value_expr) -%}
    coalesce(to_json(map_from_entries(array_sort(collect_list(
        struct({{ key_expr }}, {{ value_expr }})
    )))), '{}')
{%- endmacro %}
