-- The lawful suspensions of each accepted case with a clock end, clipped to the clock
-- period [accepted_at, clock_end] and merged where they overlap (rules.md, lawful
-- suspension): one row per merged period with the days it takes off the clock.
with

cases as (

    select * from {{ ref('int_cases_enriched') }}
    where accepted_at is not null and clock_end_at is not null

),

suspensions as (

    select * from {{ ref('int_case_suspensions') }}
    where is_lawful

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

clipped as (

    select
        suspensions.case_id,
        cases.limit_unit,
        suspensions.start_event_seq,
        case when suspensions.started_at > cases.accepted_at
             then suspensions.started_at else cases.accepted_at end as period_start_at,
        case when suspensions.ended_at is not null and suspensions.ended_at < cases.clock_end_at
             then suspensions.ended_at else cases.clock_end_at end as period_end_at
    from suspensions
    inner join cases on suspensions.case_id = cases.case_id

),

non_empty as (

    select * from clipped where period_end_at > period_start_at

),

with_running_end as (

    select
        *,
        max(period_end_at) over (
            partition by case_id
            order by period_start_at, period_end_at, start_event_seq
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end_at
    from non_empty

),

islands as (

    select
        *,
        sum(case when previous_max_end_at is null or period_start_at > previous_max_end_at
                 then 1 else 0 end) over (
            partition by case_id
            order by period_start_at, period_end_at, start_event_seq
            rows between unbounded preceding and current row
        ) as period_number
    from with_running_end

),

merged as (

    select
        case_id,
        period_number,
        min(limit_unit) as limit_unit,
        min(period_start_at) as period_start_at,
        max(period_end_at) as period_end_at,
        cast(count(*) as integer) as suspension_count
    from islands
    group by case_id, period_number

),

measured as (

    select
        merged.*,
        cast({{ clock_days('merged.limit_unit', 'merged.period_start_at', 'merged.period_end_at',
                      'cal_start.workday_seq', 'cal_end.workday_seq') }} as integer)
            as suspended_days
    from merged
    left join calendar as cal_start
        on cal_start.calendar_date = cast(merged.period_start_at as date)
    left join calendar as cal_end on cal_end.calendar_date = cast(merged.period_end_at as date)

)

select * from measured
