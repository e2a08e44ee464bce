{#- Generic tests this project needs without dbt packages (no dbt_utils). -#}

{#- The combination of columns is unique (a composite primary key). -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% macro regexp_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'searchlight')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__regexp_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{#- Every non-null value of the column lies in [min_value, max_value]. -#}
{% test value_between(model, column_name, min_value, max_value) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
