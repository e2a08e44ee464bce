-- One row per current case with its clock (rules.md, elapsed): working days (calendar
-- days for 自然日 items) from accepted_at to the clock end, minus the days inside merged
-- lawful suspensions.
with

cases as (

    select * from {{ ref('int_cases_enriched') }}

),

suspension_periods as (

    select * from {{ ref('int_case_suspension_periods') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

suspended as (

    select
        case_id,
        count(*) as lawful_period_count,
        sum(suspended_days) as lawful_suspended_days
    from suspension_periods
    group by case_id

),

as_of_day as (

    -- as_of is always needed (open cases are measured to it): it must be in the calendar
    select
        {{ as_of() }} as as_of,
        {{ calendar_value_or_fail('calendar.workday_seq', as_of()) }} as as_of_workday_seq
    from (select 1 as one) as single_row
    left join calendar on calendar.calendar_date = {{ as_of() }}

),

measured as (

    select
        cases.*,
        as_of_day.as_of,
        cast(coalesce(suspended.lawful_period_count, 0) as integer) as lawful_period_count,
        cast(coalesce(suspended.lawful_suspended_days, 0) as integer) as lawful_suspended_days,
        cast({{ clock_days('cases.limit_unit', 'cases.accepted_at', 'cases.clock_end_at',
                      'cal_accepted.workday_seq', 'cal_end.workday_seq') }} as integer)
            as clock_days_gross
    from cases
    cross join as_of_day
    left join suspended on cases.case_id = suspended.case_id
    left join calendar as cal_accepted
        on cal_accepted.calendar_date = cast(cases.accepted_at as date)
    left join calendar as cal_end on cal_end.calendar_date = cast(cases.clock_end_at as date)

),

final as (

    select
        *,
        clock_days_gross - lawful_suspended_days as elapsed_days
    from measured

)

select * from final
