-- S06 码上监督问题: QR feedback in a s06_red_categories category (吃拿卡要) fires red,
-- always; any other category fires yellow when not handled within
-- s06_handling_limit_workdays working days: workdays(submitted_at, handled_at, or as_of
-- while unhandled) > the limit.
{%- set red_categories = "'" ~ var('s06_red_categories') | join("', '") ~ "'" %}
with

feedback as (

    select * from {{ ref('stg_qr_feedback') }}

),

windows as (

    select window_id, dept_code from {{ ref('stg_windows') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

measured_to as (

    select
        feedback.*,
        windows.dept_code,
        feedback.category in ({{ red_categories }}) as is_red_category,
        coalesce(feedback.handled_at, cast({{ as_of() }} as {{ dbt.type_timestamp() }}))
            as measured_to_at
    from feedback
    left join windows on feedback.window_id = windows.window_id

),

measured as (

    select
        measured_to.*,
        {{ working_days('measured_to.submitted_at', 'measured_to.measured_to_at',
                        'cal_submitted.workday_seq', 'cal_measured.workday_seq') }}
            as days_to_handle
    from measured_to
    left join calendar as cal_submitted
        on cal_submitted.calendar_date = cast(measured_to.submitted_at as date)
    left join calendar as cal_measured
        on cal_measured.calendar_date = cast(measured_to.measured_to_at as date)

),

problems as (

    select * from measured
    where is_red_category
        or days_to_handle > {{ var('s06_handling_limit_workdays') }}

),

alert_rows as (

    select
        feedback_id as subject_id,
        dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        case when is_red_category then 'red' else 'yellow' end as severity,
        days_to_handle as metric_value,
        case when is_red_category then 0 else {{ var('s06_handling_limit_workdays') }} end
            as threshold_value,
        case when is_red_category then cast(submitted_at as date)
             else {{ day_past_limit("'工作日'", 'submitted_at', var('s06_handling_limit_workdays'),
                                    0, 'measured_to_at') }}
        end as occurred_on,
        {{ json_object([
            ('feedback_id', 'feedback_id'),
            ('window_id', 'window_id'),
            ('category', 'category'),
            ('submitted_at', 'submitted_at'),
            ('handled_at', 'handled_at'),
            ('measured_to', 'measured_to_at'),
            ('working_days', 'days_to_handle'),
            ('is_red_category', 'is_red_category'),
            ('s06_handling_limit_workdays', var('s06_handling_limit_workdays')),
        ]) }} as evidence
    from problems

),

final as (

    {{ alert_select('alert_rows', severity_expr='severity') }}

)

select * from final
