{#- occurred_on of an alert (marts.alerts): the date the violation happened, as opposed to
    first_detected_on (when the office learned of it). Per-rule readings are tabled in
    docs/contract-questions.md ("occurred_on per rule"). Each rule model names it with one
    line in its alert_rows select, so these helpers only read columns that are already
    in scope there: a timestamp, a JSON array the rule built for its evidence, or a
    lookup by key (a scalar subquery, run only for the rows that fire). -#}

{#- The first day past a limit of limit_days counted from start_at (rules.md, workdays):
    for 自然日 items date(start_at) + limit + offset + 1; else the working day whose
    workday_seq is seq(date(start_at)) + limit + offset + 1. offset_days: days the clock
    did not run (lawful suspensions), counted as if they all fell before the overrun,
    so the day is exact when no suspension straddles it and at most late otherwise;
    cap_at (the clock end) bounds it, as a rule fires only once the limit is past. -#}
{% macro day_past_limit(limit_unit, start_at, limit_days, offset_days, cap_at) -%}
    least(
        cast({{ cap_at }} as date),
        case
            when {{ limit_unit }} = '自然日' then cast({{ dbt.dateadd('day',
                limit_days ~ ' + ' ~ offset_days ~ ' + 1', 'cast(' ~ start_at ~ ' as date)') }} as date)
            else (
                select min(past.calendar_date)
                from {{ ref('int_calendar') }} as started
                inner join {{ ref('int_calendar') }} as past
                    on past.workday_seq = started.workday_seq + {{ limit_days }} + {{ offset_days }} + 1
                where started.calendar_date = cast({{ start_at }} as date)
            )
        end
    )
{%- endmacro %}

{#- The latest date_expr among the rows of relation matching where (a lookup for rules
    whose alert row keeps only keys, e.g. the agent cases behind F01). -#}
{% macro latest_date_in(relation, date_expr, where) -%}
    (select max(cast({{ date_expr }} as date)) from {{ relation }} as occurred_source where {{ where }})
{%- endmacro %}

{#- Element `index` of a JSON array of timestamps or dates (0-based; -1 = the last), or
    its `key` when the elements are objects, as a date. The rules' evidence arrays are
    ordered by time, so 0 is the earliest and -1 the latest. -#}
{% macro json_element_date(json_expr, index, key=none) -%}
    {{ return(adapter.dispatch('json_element_date', 'searchlight')(json_expr, index, key)) }}
{%- endmacro %}

{% macro duckdb__json_element_date(json_expr, index, key) -%}
    {%- set position = ('#' ~ index) if index < 0 else index -%}
    cast(cast(json_extract_string(cast({{ json_expr }} as json),
        '$[{{ position }}]{{ "." ~ key if key else "" }}') as timestamp) as date)
{%- endmacro %}

{% macro default__json_element_date(json_expr, index, key) -%}
    cast(cast(cast({{ json_expr }} as json) -> {{ index }}{{ " ->> '" ~ key ~ "'" if key else "" }}
        {%- if not key %} #>> '{}'{% endif %} as timestamp) as date)
{%- endmacro %}

{#- Spark: element_at over the array's elements as text (an object element arrives as its
    JSON text), 1-based from the front, negative from the end. -#}
{% macro spark__json_element_date(json_expr, index, key) -%}
    {%- set element = "element_at(from_json(" ~ json_expr ~ ", 'array<string>'), " ~ ((index + 1) if index >= 0 else index) ~ ")" -%}
    cast(cast({% if key %}get_json_object({{ element }}, '$.{{ key }}'){% else %}{{ element }}{% endif %} as timestamp) as date)
{%- endmacro %}
