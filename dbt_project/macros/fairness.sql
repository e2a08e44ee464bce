{#- Helpers of the F rules (fairness and intermediaries): group statistics that must stay
    linear on ten million cases. -#}

{#- The median of expr in a group (rules.md F01): the mean of the two middle values for
    an even count. -#}
{% macro median_of(expr) -%}
    {{ return(adapter.dispatch('median_of', 'searchlight')(expr)) }}
{%- endmacro %}

{% macro duckdb__median_of(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}

{% macro default__median_of(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{#- A date as a day number (days since 1970-01-01), so "within N days" is a RANGE window
    of N - 1 preceding rows on an integer, which every engine supports. -#}
{% macro day_number(date_expr) -%}
    {{ dbt.datediff("cast('1970-01-01' as date)", 'cast(' ~ date_expr ~ ' as date)', 'day') }}
{%- endmacro %}
