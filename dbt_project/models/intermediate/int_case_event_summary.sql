{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='fail',
    )
}}
-- Per case, the event facts the timeliness rules need (one row per case with events).
-- Incremental (macros/incremental.sql): a run recomputes the cases that received an event,
-- from all their events; suspensions are a full table, read for those cases only.
with

events as (

    select * from {{ rows_of_changed_keys(ref('stg_case_events'), ['case_id'],
                                          loaded_at='loaded_through') }}

),

suspensions as (

    select * from {{ ref('int_case_suspensions') }}

),

event_counts as (

    select
        case_id,
        cast(count(*) as integer) as event_count,
        cast(sum(case when event_type = 'EXTEND' then 1 else 0 end) as integer) as extend_count,
        cast(sum(case when event_type = 'CORRECTION_NOTICE' then 1 else 0 end) as integer)
            as correction_notice_count,
        cast(sum(case when event_type = 'SUSPEND_START' then 1 else 0 end) as integer)
            as suspension_count,
        -- the first answer to the application (T06): acceptance, refusal or a
        -- correction notice
        min(case when event_type in ('ACCEPT', 'REFUSE', 'CORRECTION_NOTICE') then event_at end)
            as first_response_event_at,
        max(loaded_through) as loaded_through
    from events
    group by case_id

),

suspension_counts as (

    select
        case_id,
        cast(sum(case when is_lawful then 0 else 1 end) as integer) as unlawful_suspension_count
    from suspensions
    group by case_id

),

final as (

    select
        event_counts.*,
        coalesce(suspension_counts.unlawful_suspension_count, 0) as unlawful_suspension_count,
        event_counts.extend_count > 0 as has_extension
    from event_counts
    left join suspension_counts on event_counts.case_id = suspension_counts.case_id

)

select * from final
