-- T06 受理前拖延: more than t06_acceptance_limit_workdays working days (always working
-- days) from submission to the first answer r: the earliest of accepted_at and the
-- ACCEPT / REFUSE / CORRECTION_NOTICE events; for an open case with none, the end of
-- as_of. An ended case with none is not evaluable.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

answered as (

    select
        *,
        case
            when accepted_at is not null and first_response_event_at is not null
                then case when accepted_at < first_response_event_at
                          then accepted_at else first_response_event_at end
            when accepted_at is not null then accepted_at
            when first_response_event_at is not null then first_response_event_at
            when is_open then {{ as_of_end() }}
        end as answered_at
    from cases

),

measured as (

    select
        answered.*,
        {{ working_days('answered.submitted_at', 'answered.answered_at',
                        'cal_submitted.workday_seq', 'cal_answered.workday_seq') }}
            as days_to_answer
    from answered
    left join calendar as cal_submitted
        on cal_submitted.calendar_date = cast(answered.submitted_at as date)
    left join calendar as cal_answered
        on cal_answered.calendar_date = cast(answered.answered_at as date)
    where answered.answered_at is not null

),

delayed as (

    select * from measured
    where days_to_answer > {{ var('t06_acceptance_limit_workdays') }}

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        days_to_answer as metric_value,
        {{ var('t06_acceptance_limit_workdays') }} as threshold_value,
        {{ day_past_limit("'工作日'", 'submitted_at', var('t06_acceptance_limit_workdays'), 0,
                          'answered_at') }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('status', 'status'),
            ('submitted_at', 'submitted_at'),
            ('accepted_at', 'accepted_at'),
            ('first_response_event_at', 'first_response_event_at'),
            ('answered_at', 'answered_at'),
            ('working_days', 'days_to_answer'),
            ('t06_acceptance_limit_workdays', var('t06_acceptance_limit_workdays')),
        ]) }} as evidence
    from delayed

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
