-- T07 多次补正: t07_max_correction_notices or more CORRECTION_NOTICE events on one case
-- (one-time notification, 行政许可法 第三十二条).
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

events as (

    select * from {{ ref('stg_case_events') }}
    where event_type = 'CORRECTION_NOTICE'

),

notices as (

    select
        case_id,
        count(*) as notice_count,
        {{ json_array_agg('event_seq', 'event_at, event_seq') }} as notice_event_seqs,
        {{ json_array_agg('event_at', 'event_at, event_seq') }} as notice_event_ats
    from events
    group by case_id

),

repeated as (

    select
        cases.case_id,
        cases.dept_code,
        cases.handler_staff_id,
        cases.submitted_at,
        notices.notice_count,
        notices.notice_event_seqs,
        notices.notice_event_ats
    from cases
    inner join notices on cases.case_id = notices.case_id
    where notices.notice_count >= {{ var('t07_max_correction_notices') }}

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        notice_count as metric_value,
        {{ var('t07_max_correction_notices') }} as threshold_value,
        {{ json_element_date('notice_event_ats', var('t07_max_correction_notices') - 1) }}
            as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('submitted_at', 'submitted_at'),
            ('correction_notice_count', 'notice_count'),
            ('correction_notice_event_seqs', json_value('notice_event_seqs')),
            ('correction_notice_event_at', json_value('notice_event_ats')),
            ('t07_max_correction_notices', var('t07_max_correction_notices')),
        ]) }} as evidence
    from repeated

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
