-- T04 异常挂起: a case with any suspension that is not lawful; or more than
-- t04_suspension_cap_days lawful suspended days; or t04_max_suspensions or more
-- suspensions (SUSPEND_START events); or a suspension starting when elapsed at its start
-- >= t04_late_start_ratio x the promised limit.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

suspensions as (

    select * from {{ ref('int_case_suspensions') }}

),

suspension_periods as (

    select * from {{ ref('int_case_suspension_periods') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

suspensions_of_cases as (

    select
        suspensions.*,
        cases.accepted_at,
        cases.limit_unit,
        cases.promised_limit_days
    from suspensions
    inner join cases on suspensions.case_id = cases.case_id

),

-- lawful days already off the clock when each suspension starts: the merged periods
-- that began before it, cut at its start
periods_before_start as (

    select
        suspensions_of_cases.case_id,
        suspensions_of_cases.start_event_seq,
        suspensions_of_cases.limit_unit,
        suspension_periods.period_start_at,
        case when suspension_periods.period_end_at < suspensions_of_cases.started_at
             then suspension_periods.period_end_at
             else suspensions_of_cases.started_at end as cut_end_at
    from suspensions_of_cases
    inner join suspension_periods
        on suspensions_of_cases.case_id = suspension_periods.case_id
        and suspensions_of_cases.started_at > suspension_periods.period_start_at

),

suspended_before_start as (

    select
        periods_before_start.case_id,
        periods_before_start.start_event_seq,
        sum({{ clock_days('periods_before_start.limit_unit', 'periods_before_start.period_start_at',
                          'periods_before_start.cut_end_at',
                          'cal_from.workday_seq', 'cal_to.workday_seq') }})
            as suspended_days_before
    from periods_before_start
    left join calendar as cal_from
        on cal_from.calendar_date = cast(periods_before_start.period_start_at as date)
    left join calendar as cal_to
        on cal_to.calendar_date = cast(periods_before_start.cut_end_at as date)
    group by periods_before_start.case_id, periods_before_start.start_event_seq

),

suspensions_measured as (

    select
        suspensions_of_cases.*,
        {{ clock_days('suspensions_of_cases.limit_unit', 'suspensions_of_cases.accepted_at',
                      'suspensions_of_cases.started_at',
                      'cal_accepted.workday_seq', 'cal_start.workday_seq') }}
            - coalesce(suspended_before_start.suspended_days_before, 0) as elapsed_at_start,
        {{ var('t04_late_start_ratio') }} * suspensions_of_cases.promised_limit_days
            as late_start_threshold
    from suspensions_of_cases
    left join suspended_before_start
        on suspensions_of_cases.case_id = suspended_before_start.case_id
        and suspensions_of_cases.start_event_seq = suspended_before_start.start_event_seq
    left join calendar as cal_accepted
        on cal_accepted.calendar_date = cast(suspensions_of_cases.accepted_at as date)
    left join calendar as cal_start
        on cal_start.calendar_date = cast(suspensions_of_cases.started_at as date)

),

per_case as (

    select
        case_id,
        count(*) as suspension_count,
        sum(case when is_lawful then 0 else 1 end) as unlawful_count,
        sum(case when elapsed_at_start >= late_start_threshold then 1 else 0 end)
            as late_start_count,
        {{ json_array_agg('start_event_seq', 'started_at, start_event_seq') }} as start_event_seqs,
        {{ json_array_agg('procedure_type', 'started_at, start_event_seq') }} as procedure_types,
        {{ json_array_agg('started_at', 'started_at, start_event_seq') }} as started_ats,
        {{ json_array_agg('ended_at', 'started_at, start_event_seq') }} as ended_ats,
        {{ json_array_agg('elapsed_at_start', 'started_at, start_event_seq') }} as elapsed_at_starts
    from suspensions_measured
    group by case_id

),

judged as (

    select
        cases.case_id,
        cases.dept_code,
        cases.handler_staff_id,
        cases.accepted_at,
        cases.promised_limit_days,
        cases.lawful_suspended_days,
        per_case.suspension_count,
        per_case.unlawful_count,
        per_case.late_start_count,
        per_case.start_event_seqs,
        per_case.procedure_types,
        per_case.started_ats,
        per_case.ended_ats,
        per_case.elapsed_at_starts,
        per_case.unlawful_count > 0 as has_unlawful,
        cases.lawful_suspended_days > {{ var('t04_suspension_cap_days') }} as is_over_cap,
        per_case.suspension_count >= {{ var('t04_max_suspensions') }} as is_too_many,
        per_case.late_start_count > 0 as has_late_start
    from cases
    inner join per_case on cases.case_id = per_case.case_id

),

abnormal as (

    select * from judged
    where has_unlawful or is_over_cap or is_too_many or has_late_start

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        lawful_suspended_days as metric_value,
        {{ var('t04_suspension_cap_days') }} as threshold_value,
        {{ json_element_date('started_ats', -1) }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('accepted_at', 'accepted_at'),
            ('has_unlawful_suspension', 'has_unlawful'),
            ('is_over_cap', 'is_over_cap'),
            ('is_too_many', 'is_too_many'),
            ('has_late_start', 'has_late_start'),
            ('suspension_count', 'suspension_count'),
            ('unlawful_suspension_count', 'unlawful_count'),
            ('lawful_suspended_days', 'lawful_suspended_days'),
            ('promised_limit_days', 'promised_limit_days'),
            ('suspend_start_event_seqs', json_value('start_event_seqs')),
            ('procedure_types', json_value('procedure_types')),
            ('started_at', json_value('started_ats')),
            ('ended_at', json_value('ended_ats')),
            ('elapsed_at_start', json_value('elapsed_at_starts')),
            ('t04_suspension_cap_days', var('t04_suspension_cap_days')),
            ('t04_max_suspensions', var('t04_max_suspensions')),
            ('t04_late_start_ratio', var('t04_late_start_ratio')),
        ]) }} as evidence
    from abnormal

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
