-- S01 差评未整改: a review rated <= s_bad_rating_max not rectified within
-- s01_rectification_limit_workdays working days: workdays(reviewed_at, rectified_at) >
-- the limit, or no rectified_at and workdays(reviewed_at, as_of) > the limit.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}
    where is_bad

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

measured_to as (

    select
        *,
        coalesce(rectified_at, cast({{ as_of() }} as {{ dbt.type_timestamp() }})) as measured_to_at
    from reviews

),

measured as (

    select
        measured_to.*,
        {{ working_days('measured_to.reviewed_at', 'measured_to.measured_to_at',
                        'cal_reviewed.workday_seq', 'cal_measured.workday_seq') }}
            as days_unrectified
    from measured_to
    left join calendar as cal_reviewed
        on cal_reviewed.calendar_date = cast(measured_to.reviewed_at as date)
    left join calendar as cal_measured
        on cal_measured.calendar_date = cast(measured_to.measured_to_at as date)

),

unrectified as (

    select * from measured
    where days_unrectified > {{ var('s01_rectification_limit_workdays') }}

),

alert_rows as (

    select
        review_id as subject_id,
        dept_code,
        reviewed_staff_id as staff_id,
        days_unrectified as metric_value,
        {{ var('s01_rectification_limit_workdays') }} as threshold_value,
        {{ day_past_limit("'工作日'", 'reviewed_at', var('s01_rectification_limit_workdays'), 0,
                          'measured_to_at') }} as occurred_on,
        {{ json_object([
            ('review_id', 'review_id'),
            ('case_id', 'case_id'),
            ('window_id', 'window_id'),
            ('reviewed_staff_id', 'reviewed_staff_id'),
            ('reviewed_staff_source', 'reviewed_staff_source'),
            ('rating', 'rating'),
            ('reviewed_at', 'reviewed_at'),
            ('rectified_at', 'rectified_at'),
            ('measured_to', 'measured_to_at'),
            ('working_days', 'days_unrectified'),
            ('s_bad_rating_max', var('s_bad_rating_max')),
            ('s01_rectification_limit_workdays', var('s01_rectification_limit_workdays')),
        ]) }} as evidence
    from unrectified

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
