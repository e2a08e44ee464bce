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

{#- The two tests below are the shape every rule's models share (rules.md, "Alert shape";
    contract/outputs.md). They used to be nine generic tests per rule (unique + not_null on
    alert_id and subject_id, not_null rule_code, accepted severities; on the coverage model
    unique + not_null subject_id and its rule code): 333 nodes for 37 rules, each costing
    dbt ~0.1 s of fixed overhead whatever the data (bench/RESULTS.md, issue 15). One
    set-based query per model checks the same facts and names what failed, row by row. -#}

{#- A rule model's alerts: every alert has an id and a rule code, a severity of info,
    yellow or red (a null severity passes, as accepted_values lets it), and a subject; no
    alert id and no subject appears twice (one alert per subject and rule). -#}
{% test rule_alerts_are_well_formed(model) %}
    with

    alerts as (

        select alert_id, rule_code, severity, subject_id from {{ model }}

    ),

    problems as (

        select 'alert_id is null' as problem, cast(subject_id as {{ dbt.type_string() }}) as value
        from alerts where alert_id is null
        union all
        select 'alert_id appears more than once', alert_id
        from alerts where alert_id is not null group by alert_id having count(*) > 1
        union all
        select 'rule_code is null', alert_id from alerts where rule_code is null
        union all
        select 'severity is not info, yellow or red', severity
        from alerts where severity not in ('info', 'yellow', 'red')
        union all
        select 'subject_id is null', alert_id from alerts where subject_id is null
        union all
        select 'subject_id appears more than once', subject_id
        from alerts where subject_id is not null group by subject_id having count(*) > 1

    )

    select * from problems
{% endtest %}

{#- A rule's coverage model: one row per subject in the rule's scope (subject_id present
    and unique), every row of this rule (rule_code; a null passes, as accepted_values
    lets it). -#}
{% test rule_coverage_is_well_formed(model, rule_code) %}
    with

    scope as (

        select subject_id, rule_code from {{ model }}

    ),

    problems as (

        select 'subject_id is null' as problem, cast(rule_code as {{ dbt.type_string() }}) as value
        from scope where subject_id is null
        union all
        select 'subject_id appears more than once', subject_id
        from scope where subject_id is not null group by subject_id having count(*) > 1
        union all
        select 'rule_code is not {{ rule_code }}', rule_code
        from scope where rule_code <> '{{ rule_code }}'

    )

    select * from problems
{% endtest %}
