-- T08 非工作时间办件: an ACCEPT or DECIDE event of an offline (线下) case on a day that
-- is not a working day, or at a local time of day before t08_earliest_time or after
-- t08_latest_time.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}
    where channel = '线下'

),

events as (

    select * from {{ ref('stg_case_events') }}
    where event_type in ('ACCEPT', 'DECIDE')

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

offline_events as (

    select
        events.case_id,
        events.event_seq,
        events.event_type,
        events.event_at,
        events.staff_id,
        cases.dept_code,
        cases.handler_staff_id,
        {{ calendar_value_or_fail('calendar.is_workday', 'events.event_at') }} as is_workday,
        {{ time_of_day('events.event_at') }} as time_of_day
    from events
    inner join cases on events.case_id = cases.case_id
    left join calendar on calendar.calendar_date = cast(events.event_at as date)

),

off_hours_events as (

    select * from offline_events
    where not is_workday
        or time_of_day < {{ time_of_day_literal(var("t08_earliest_time")) }}
        or time_of_day > {{ time_of_day_literal(var("t08_latest_time")) }}

),

per_case as (

    select
        case_id,
        min(dept_code) as dept_code,
        min(handler_staff_id) as handler_staff_id,
        count(*) as off_hours_event_count,
        {{ json_array_agg('event_seq', 'event_at, event_seq') }} as event_seqs,
        {{ json_array_agg('event_type', 'event_at, event_seq') }} as event_types,
        {{ json_array_agg('event_at', 'event_at, event_seq') }} as event_ats,
        {{ json_array_agg('staff_id', 'event_at, event_seq') }} as event_staff_ids,
        {{ json_array_agg('is_workday', 'event_at, event_seq') }} as event_on_workday
    from off_hours_events
    group by case_id

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        off_hours_event_count as metric_value,
        0 as threshold_value,
        {{ json_element_date('event_ats', 0) }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('off_hours_event_count', 'off_hours_event_count'),
            ('event_seqs', json_value('event_seqs')),
            ('event_types', json_value('event_types')),
            ('event_at', json_value('event_ats')),
            ('event_staff_ids', json_value('event_staff_ids')),
            ('event_on_workday', json_value('event_on_workday')),
            ('t08_earliest_time', "'" ~ var('t08_earliest_time') ~ "'"),
            ('t08_latest_time', "'" ~ var('t08_latest_time') ~ "'"),
        ]) }} as evidence
    from per_case

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
