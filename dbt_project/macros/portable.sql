{#- SQL that DuckDB and Spark write differently, behind one name (docs/spark.md). The
    DuckDB versions are what the models wrote inline before the Spark target existed, so
    the DuckDB build's SQL and results are unchanged. -#}

{#- A double-precision float: DuckDB's `float` is 4 bytes (dbt.type_float()), and Spark
    has no `double precision`. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'searchlight')()) }}
{%- endmacro %}

{% macro default__type_double() -%}{{ return('double precision') }}{%- endmacro %}

{% macro spark__type_double() -%}{{ return('double') }}{%- endmacro %}

{#- The time of day of a timestamp, comparable with time_of_day_literal('HH:MM:SS'):
    a TIME on DuckDB; on Spark, which has no TIME type, the seconds since midnight with
    their fraction (extract(second) is a decimal with microseconds), so a boundary such
    as 21:00:00 stays exact: 21:00:00 is not after it, 21:00:00.000001 is. -#}
{% macro time_of_day(timestamp_expr) -%}
    {{ return(adapter.dispatch('time_of_day', 'searchlight')(timestamp_expr)) }}
{%- endmacro %}

{% macro default__time_of_day(timestamp_expr) -%}
    cast({{ timestamp_expr }} as time)
{%- endmacro %}

{% macro spark__time_of_day(timestamp_expr) -%}
    (hour({{ timestamp_expr }}) * 3600 + minute({{ timestamp_expr }}) * 60
        + extract(second from {{ timestamp_expr }}))
{%- endmacro %}

{#- time_text: 'HH:MM:SS' (a var such as t08_latest_time). -#}
{% macro time_of_day_literal(time_text) -%}
    {{ return(adapter.dispatch('time_of_day_literal', 'searchlight')(time_text)) }}
{%- endmacro %}

{% macro default__time_of_day_literal(time_text) -%}
    cast('{{ time_text }}' as time)
{%- endmacro %}

{% macro spark__time_of_day_literal(time_text) -%}
    {%- set parts = (time_text | string).split(':') -%}
    {%- if parts | length != 3 -%}
        {{ exceptions.raise_compiler_error("a time of day must be written HH:MM:SS, not '" ~ time_text ~ "'") }}
    {%- endif -%}
    {{ (parts[0] | int) * 3600 + (parts[1] | int) * 60 + (parts[2] | int) }}
{%- endmacro %}

{#- count(distinct expr) over a RANGE window of `preceding` rows before the current
    order value: Spark (and PostgreSQL) reject distinct window aggregates, and Spark
    counts the window's set of values instead (collect_set skips nulls, as count
    distinct does). -#}
{% macro count_distinct_over_range(expr, partition_by, order_by, preceding) -%}
    {{ return(adapter.dispatch('count_distinct_over_range', 'searchlight')(expr, partition_by, order_by, preceding)) }}
{%- endmacro %}

{% macro default__count_distinct_over_range(expr, partition_by, order_by, preceding) -%}
    count(distinct {{ expr }}) over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        range between {{ preceding }} preceding and current row
    )
{%- endmacro %}

{% macro spark__count_distinct_over_range(expr, partition_by, order_by, preceding) -%}
    size(collect_set({{ expr }}) over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        range between {{ preceding }} preceding and current row
    ))
{%- endmacro %}

{#- Every match of pattern replaced; replacement refers to groups as \1, \2 (DuckDB,
    RE2). Spark's regexp_replace replaces every match by itself, takes a position as
    its fourth argument, and writes groups as $1, $2. -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'searchlight')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    {%- if '$' in replacement -%}
        {{ exceptions.raise_compiler_error("regexp_replace_all: a '$' in the replacement would be a group on Spark") }}
    {%- endif -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ modules.re.sub("\\\\(\\d)", "$\\1", replacement) }}')
{%- endmacro %}

{#- The materialization of the large staging models (macros/incremental.sql):
    incremental with delete+insert on DuckDB. Spark's plain Parquet tables cannot delete
    rows (merge needs Delta, Iceberg or Hudi), and insert_overwrite replaces whole
    partitions, which a day's new versions touch across all of them: on Spark these
    models are rebuilt in full on every run, which is what Spark does well. -#}
{% macro staging_materialization() -%}
    {{ return(adapter.dispatch('staging_materialization', 'searchlight')()) }}
{%- endmacro %}

{% macro default__staging_materialization() -%}{{ return('incremental') }}{%- endmacro %}

{% macro spark__staging_materialization() -%}{{ return('table') }}{%- endmacro %}
