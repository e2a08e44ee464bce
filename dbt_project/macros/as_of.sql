{#- The date the run evaluates "now" at (rules.md, as_of): var `as_of` when given, else
    the latest updated_at in the cases source, so a rerun on the same data gives the same
    alerts. Open cases are measured to the end of as_of. -#}

{% macro as_of() -%}
    {%- if var('as_of', none) is not none and var('as_of') | string | trim != '' -%}
        cast('{{ var("as_of") }}' as date)
    {%- else -%}
        (select cast(max(updated_at) as date) from {{ source('raw', 'cases') }})
    {%- endif -%}
{%- endmacro %}

{#- The last second of as_of: the clock end of an open case. -#}
{% macro as_of_end() -%}
    {{ dbt.dateadd('second', 86399, 'cast(' ~ as_of() ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
