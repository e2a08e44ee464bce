-- 勤廉风险指数 (rules.md, derived judgements): per staff member and per department and
-- month, 0–100. Three components, each scaled to 0..1 by a cap and weighted (vars
-- risk_*; the formula is in the YAML docs):
--   alert rate       weighted alert points per 100 cases handled (with a workload floor,
--                    so two alerts on three cases do not read as 67 per 100)
--   dissatisfaction  share of bad reviews (rating <= 2) among the month's reviews
--   complaints       complaint and report tickets per 100 cases (departments only: the
--                    12345 hotline assigns tickets to departments, not to people)
-- index = 100 x sum(weight x min(1, component / cap)) / sum of the weights of the
-- components the level has. Alerts count in the month their violation happened
-- (occurred_on), cases in the month of acceptance (else submission), reviews and tickets
-- in their own month: every component describes the same month of work. Alerts are those
-- on record (int_alerts_on_record): also those that stopped firing, never the ones
-- dismissed as false positives.
with

alerts as (

    select
        staff_id,
        dept_code,
        cast({{ dbt.date_trunc('month', 'occurred_on') }} as date) as month_start,
        case severity
            when 'red' then {{ var('risk_weight_red') }}
            when 'yellow' then {{ var('risk_weight_yellow') }}
            else {{ var('risk_weight_info') }}
        end as points
    from {{ ref('int_alerts_on_record') }}

),

cases as (

    select
        handler_staff_id as staff_id,
        dept_code,
        cast({{ dbt.date_trunc('month', 'coalesce(accepted_at, submitted_at)') }} as date)
            as month_start
    from {{ ref('fct_cases') }}

),

reviews as (

    select
        reviewed_staff_id as staff_id,
        dept_code,
        cast({{ dbt.date_trunc('month', 'reviewed_on') }} as date) as month_start,
        case when is_bad then 1 else 0 end as is_bad
    from {{ ref('int_reviews_attributed') }}

),

complaints as (

    select
        dept_code,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start
    from {{ ref('stg_hotline_tickets') }}
    where category in ({{ "'" ~ var('risk_complaint_categories') | join("', '") ~ "'" }})

),

{#- The same measures at two levels: per staff member, and per department. Complaints
    exist only for departments (the hotline assigns tickets to departments). -#}
{%- set levels = [
    {'name': 'staff', 'key': 'staff_id', 'sources': ['alerts', 'cases', 'reviews']},
    {'name': 'department', 'key': 'dept_code',
     'sources': ['alerts', 'cases', 'reviews', 'complaints']},
] %}
{%- for level in levels %}
{%- set key = level.key %}
{{ level.name }}_alerts as (

    select {{ key }}, month_start, count(*) as alerts, sum(points) as alert_points
    from alerts where {{ key }} is not null group by 1, 2

),

{{ level.name }}_cases as (

    select {{ key }}, month_start, count(*) as cases_handled
    from cases where {{ key }} is not null group by 1, 2

),

{{ level.name }}_reviews as (

    select {{ key }}, month_start, count(*) as reviews, sum(is_bad) as bad_reviews
    from reviews where {{ key }} is not null group by 1, 2

),
{%- if 'complaints' in level.sources %}

{{ level.name }}_complaints as (

    select {{ key }}, month_start, count(*) as complaints
    from complaints where {{ key }} is not null group by 1, 2

),
{%- endif %}

{{ level.name }}_months as (

    {%- for source in level.sources %}
    select {{ key }}, month_start from {{ level.name }}_{{ source }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}

),

{{ level.name }}_level as (

    select
        '{{ level.name }}' as level,
        {{ level.name }}_months.{{ key }} as subject_id,
        {%- if key == 'staff_id' %}
        staff.dept_code,
        {%- else %}
        {{ level.name }}_months.dept_code,
        {%- endif %}
        {{ level.name }}_months.month_start,
        coalesce({{ level.name }}_alerts.alerts, 0) as alerts,
        coalesce({{ level.name }}_alerts.alert_points, 0) as alert_points,
        coalesce({{ level.name }}_cases.cases_handled, 0) as cases_handled,
        coalesce({{ level.name }}_reviews.reviews, 0) as reviews,
        coalesce({{ level.name }}_reviews.bad_reviews, 0) as bad_reviews,
        {%- if 'complaints' in level.sources %}
        coalesce({{ level.name }}_complaints.complaints, 0) as complaints
        {%- else %}
        cast(null as integer) as complaints
        {%- endif %}
    from {{ level.name }}_months
    {%- if key == 'staff_id' %}
    left join {{ ref('dim_staff') }} as staff on {{ level.name }}_months.staff_id = staff.staff_id
    {%- endif %}
    {%- for source in level.sources %}
    left join {{ level.name }}_{{ source }}
        on {{ level.name }}_months.{{ key }} = {{ level.name }}_{{ source }}.{{ key }}
        and {{ level.name }}_months.month_start = {{ level.name }}_{{ source }}.month_start
    {%- endfor %}

),
{% endfor %}
-------------------------------------------------------------------- the index

measured as (

    select
        *,
        alert_points * 100.0
            / greatest(cases_handled, {{ var('risk_min_workload') }}) as alert_rate,
        case when reviews > 0 then bad_reviews * 1.0 / reviews else 0 end as bad_review_share,
        complaints * 100.0
            / greatest(cases_handled, {{ var('risk_min_workload') }}) as complaint_rate
    from (
        select * from staff_level
        union all
        select * from department_level
    ) as levels

),

scored as (

    select
        *,
        least(1.0, alert_rate / {{ var('risk_cap_alert_rate') }}) as alert_component,
        least(1.0, bad_review_share / {{ var('risk_cap_bad_review_share') }})
            as dissatisfaction_component,
        -- least() skips nulls on some engines: staff have no complaint component at all
        case when complaint_rate is not null
             then least(1.0, complaint_rate / {{ var('risk_cap_complaint_rate') }})
        end as complaint_component
    from measured

),

final as (

    select
        level,
        subject_id,
        dept_code,
        month_start,
        alerts,
        alert_points,
        cases_handled,
        reviews,
        bad_reviews,
        complaints,
        alert_rate,
        bad_review_share,
        complaint_rate,
        round(100 * (
            {{ var('risk_weight_alerts') }} * alert_component
            + {{ var('risk_weight_dissatisfaction') }} * dissatisfaction_component
            + {{ var('risk_weight_complaints') }} * coalesce(complaint_component, 0)
        ) / (
            {{ var('risk_weight_alerts') }} + {{ var('risk_weight_dissatisfaction') }}
            + case when complaint_component is null then 0
                   else {{ var('risk_weight_complaints') }} end
        ), 1) as risk_index
    from scored

)

select * from final
