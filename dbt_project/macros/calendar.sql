{#- Working-day arithmetic (rules.md, working day and workdays(a, b)).

    int_calendar gives every day a cumulative workday_seq (working days on or before it),
    so workdays(a, b) = seq(date b) - seq(date a) (0 when date(b) <= date(a)): two
    equi-joins on the date, no loop over days, whatever the number of cases. -#}

{#- seq_a, seq_b: workday_seq of date(a) and date(b). -#}
{% macro workdays_between(seq_a, seq_b) -%}
    case when {{ seq_b }} > {{ seq_a }} then {{ seq_b }} - {{ seq_a }} else 0 end
{%- endmacro %}

{#- Calendar days d with date(a) < d <= date(b), 0 when date(b) <= date(a) (自然日 items). -#}
{% macro calendar_days_between(a, b) -%}
    case when cast({{ b }} as date) > cast({{ a }} as date)
         then {{ dbt.datediff('cast(' ~ a ~ ' as date)', 'cast(' ~ b ~ ' as date)', 'day') }}
         else 0 end
{%- endmacro %}

{#- A value looked up in int_calendar for a date the rule needs; when the calendar has
    no row for that date the build fails with a message naming the year ("a year the
    calendar does not know is an error, never a guess"). Only rows that reach this
    expression (dates actually needed) can fail. -#}
{% macro calendar_value_or_fail(value_expr, date_expr) -%}
    case
        when {{ date_expr }} is null then null
        when {{ value_expr }} is null then {{ calendar_gap_error(date_expr) }}
        else {{ value_expr }}
    end
{%- endmacro %}

{% macro calendar_gap_error(date_expr) -%}
    {{ return(adapter.dispatch('calendar_gap_error', 'searchlight')(date_expr)) }}
{%- endmacro %}

{% macro duckdb__calendar_gap_error(date_expr) -%}
    {#- error() has no type of its own: the CASE around it keeps the value's type. -#}
    error('working-day calendar does not cover year '
        || cast(extract(year from {{ date_expr }}) as varchar)
        || ': add the year to calendar_overrides, or update the holidays package and run make calendar (needed for '
        || cast(cast({{ date_expr }} as date) as varchar) || ')')
{%- endmacro %}

{% macro default__calendar_gap_error(date_expr) -%}
    {#- No error() function: a failing cast whose message carries the text (its value
        is never returned, only raised; the null keeps the CASE's type untouched). -#}
    case when cast('working-day calendar does not cover year '
        || cast(extract(year from {{ date_expr }}) as {{ dbt.type_string() }})
        || ': add the year to calendar_overrides, or update the holidays package and run make calendar' as integer) is null
        then null end
{%- endmacro %}

{% macro spark__calendar_gap_error(date_expr) -%}
    {#- dbt-spark turns ANSI mode off, so a failing cast returns null instead of failing:
        raise_error() fails the query (its type, null, leaves the CASE's type alone). -#}
    raise_error(concat('working-day calendar does not cover year ',
        cast(year({{ date_expr }}) as string),
        ': add the year to calendar_overrides or update the holidays package (needed for ',
        cast(cast({{ date_expr }} as date) as string), ')'))
{%- endmacro %}

{#- ISO day of week: 1 = Monday … 7 = Sunday. -#}
{% macro day_of_week_iso(date_expr) -%}
    {{ return(adapter.dispatch('day_of_week_iso', 'searchlight')(date_expr)) }}
{%- endmacro %}

{% macro default__day_of_week_iso(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}

{% macro spark__day_of_week_iso(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{#- Days on a case's clock from a to b (rules.md, workdays): calendar days for 自然日
    items, else working days from the workday_seq of date(a) and date(b) (joined from
    int_calendar), failing on a date the calendar does not cover. -#}
{% macro clock_days(limit_unit, a, b, seq_a, seq_b) -%}
    case
        when {{ a }} is null or {{ b }} is null then null
        when {{ limit_unit }} = '自然日' then {{ calendar_days_between(a, b) }}
        else {{ workdays_between(calendar_value_or_fail(seq_a, a), calendar_value_or_fail(seq_b, b)) }}
    end
{%- endmacro %}

{#- Working days from a to b whatever the item's unit (T06). -#}
{% macro working_days(a, b, seq_a, seq_b) -%}
    case
        when {{ a }} is null or {{ b }} is null then null
        else {{ workdays_between(calendar_value_or_fail(seq_a, a), calendar_value_or_fail(seq_b, b)) }}
    end
{%- endmacro %}
