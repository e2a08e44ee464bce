-- 勤廉风险指数 (rules.md, derived judgements): per staff member and per department and
-- month, 0–100. Three components, each scaled to 0..1 by a cap and weighted (vars
-- risk_*; the formula is in the YAML docs):
--   alert rate       weighted alert points per 100 cases handled (with a workload floor,
--                    so two alerts on three cases do not read as 67 per 100)
--   dissatisfaction  share of bad reviews (rating <= 2) among the month's reviews
--   complaints       complaint and report tickets per 100 cases (departments only: the
--                    12345 hotline assigns tickets to departments, not to people)
-- index = 100 x sum(weight x min(1, component / cap)) / sum of the weights of the
-- components the level has. Alerts count in the month of first_detected_on, cases in
-- the month of acceptance (else submission), reviews and tickets in their own month.
with

alerts as (

    select
        staff_id,
        dept_code,
        cast({{ dbt.date_trunc('month', 'first_detected_on') }} as date) as month_start,
        case severity
            when 'red' then {{ var('risk_weight_red') }}
            when 'yellow' then {{ var('risk_weight_yellow') }}
            else {{ var('risk_weight_info') }}
        end as points
    from {{ ref('alerts') }}

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
    where category in ('{{ var("risk_complaint_categories") | join("', '") }}')

),

-------------------------------------------------------------------- per staff member

staff_alerts as (

    select staff_id, month_start, count(*) as alerts, sum(points) as alert_points
    from alerts where staff_id is not null group by 1, 2

),

staff_cases as (

    select staff_id, month_start, count(*) as cases_handled
    from cases where staff_id is not null group by 1, 2

),

staff_reviews as (

    select staff_id, month_start, count(*) as reviews, sum(is_bad) as bad_reviews
    from reviews where staff_id is not null group by 1, 2

),

staff_months as (

    select staff_id, month_start from staff_alerts
    union
    select staff_id, month_start from staff_cases
    union
    select staff_id, month_start from staff_reviews

),

staff_level as (

    select
        'staff' as level,
        staff_months.staff_id as subject_id,
        staff.dept_code,
        staff_months.month_start,
        coalesce(staff_alerts.alerts, 0) as alerts,
        coalesce(staff_alerts.alert_points, 0) as alert_points,
        coalesce(staff_cases.cases_handled, 0) as cases_handled,
        coalesce(staff_reviews.reviews, 0) as reviews,
        coalesce(staff_reviews.bad_reviews, 0) as bad_reviews,
        cast(null as integer) as complaints
    from staff_months
    left join {{ ref('dim_staff') }} as staff on staff_months.staff_id = staff.staff_id
    left join staff_alerts
        on staff_months.staff_id = staff_alerts.staff_id
        and staff_months.month_start = staff_alerts.month_start
    left join staff_cases
        on staff_months.staff_id = staff_cases.staff_id
        and staff_months.month_start = staff_cases.month_start
    left join staff_reviews
        on staff_months.staff_id = staff_reviews.staff_id
        and staff_months.month_start = staff_reviews.month_start

),

-------------------------------------------------------------------- per department

dept_alerts as (

    select dept_code, month_start, count(*) as alerts, sum(points) as alert_points
    from alerts where dept_code is not null group by 1, 2

),

dept_cases as (

    select dept_code, month_start, count(*) as cases_handled
    from cases where dept_code is not null group by 1, 2

),

dept_reviews as (

    select dept_code, month_start, count(*) as reviews, sum(is_bad) as bad_reviews
    from reviews where dept_code is not null group by 1, 2

),

dept_complaints as (

    select dept_code, month_start, count(*) as complaints
    from complaints where dept_code is not null group by 1, 2

),

dept_months as (

    select dept_code, month_start from dept_alerts
    union
    select dept_code, month_start from dept_cases
    union
    select dept_code, month_start from dept_reviews
    union
    select dept_code, month_start from dept_complaints

),

dept_level as (

    select
        'department' as level,
        dept_months.dept_code as subject_id,
        dept_months.dept_code,
        dept_months.month_start,
        coalesce(dept_alerts.alerts, 0) as alerts,
        coalesce(dept_alerts.alert_points, 0) as alert_points,
        coalesce(dept_cases.cases_handled, 0) as cases_handled,
        coalesce(dept_reviews.reviews, 0) as reviews,
        coalesce(dept_reviews.bad_reviews, 0) as bad_reviews,
        coalesce(dept_complaints.complaints, 0) as complaints
    from dept_months
    left join dept_alerts
        on dept_months.dept_code = dept_alerts.dept_code
        and dept_months.month_start = dept_alerts.month_start
    left join dept_cases
        on dept_months.dept_code = dept_cases.dept_code
        and dept_months.month_start = dept_cases.month_start
    left join dept_reviews
        on dept_months.dept_code = dept_reviews.dept_code
        and dept_months.month_start = dept_reviews.month_start
    left join dept_complaints
        on dept_months.dept_code = dept_complaints.dept_code
        and dept_months.month_start = dept_complaints.month_start

),

-------------------------------------------------------------------- the index

measured as (

    select
        *,
        alert_points * 100.0
            / greatest(cases_handled, {{ var('risk_min_workload') }}) as alert_rate,
        case when reviews > 0 then bad_reviews * 1.0 / reviews else 0 end as bad_review_share,
        complaints * 100.0
            / greatest(cases_handled, {{ var('risk_min_workload') }}) as complaint_rate
    from (select * from staff_level union all select * from dept_level) as levels

),

scored as (

    select
        *,
        least(1.0, alert_rate / {{ var('risk_cap_alert_rate') }}) as alert_component,
        least(1.0, bad_review_share / {{ var('risk_cap_bad_review_share') }})
            as dissatisfaction_component,
        least(1.0, complaint_rate / {{ var('risk_cap_complaint_rate') }})
            as complaint_component
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
