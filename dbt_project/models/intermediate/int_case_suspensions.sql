-- One row per SUSPEND_START event (rules.md, lawful suspension; T04 counts suspensions
-- by these events), paired with the next SUSPEND_END of the same case in event order
-- (event_at, then seq). Several starts before one end share that end. ended_at is null
-- while the suspension is still running; the clock end closes it downstream.
with

lawful_procedure_types as (

    select * from {{ ref('lawful_procedure_types') }}

),

events as (

    select * from {{ ref('stg_case_events') }}
    where event_type in ('SUSPEND_START', 'SUSPEND_END')

),

ordered as (

    select
        *,
        -- SUSPEND_END events on or before this one: the next end after a start is the
        -- end whose ordinal is one more than the count at the start.
        sum(case when event_type = 'SUSPEND_END' then 1 else 0 end) over (
            partition by case_id
            order by event_at, event_seq
            rows between unbounded preceding and current row
        ) as ends_so_far
    from events

),

starts as (

    select * from ordered where event_type = 'SUSPEND_START'

),

ends as (

    select
        case_id,
        ends_so_far as end_ordinal,
        event_seq as end_event_seq,
        event_at as ended_at
    from ordered
    where event_type = 'SUSPEND_END'

),

paired as (

    select
        starts.case_id,
        starts.event_seq as start_event_seq,
        starts.event_at as started_at,
        starts.staff_id,
        starts.procedure_type,
        coalesce(starts.procedure_type in (
            select lawful_procedure_types.procedure_type from lawful_procedure_types
        ), false) as is_lawful,
        ends.end_event_seq,
        ends.ended_at
    from starts
    left join ends
        on starts.case_id = ends.case_id
        and starts.ends_so_far + 1 = ends.end_ordinal

)

select * from paired
