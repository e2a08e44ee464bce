-- One row per current 码上监督 QR feedback with its window's department and handling time
-- (S06). Contacts appear only as pseudonyms and masked phones; content and result stay out.
{%- set red_categories = "'" ~ var('s06_red_categories') | join("', '") ~ "'" %}
with

feedback as (

    select * from {{ ref('stg_qr_feedback') }}

),

windows as (

    select window_id, dept_code, hall_name, street from {{ ref('stg_windows') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

measured as (

    select
        feedback.*,
        windows.dept_code,
        windows.hall_name,
        windows.street,
        coalesce(feedback.handled_at, cast({{ as_of() }} as {{ dbt.type_timestamp() }}))
            as measured_to_at
    from feedback
    left join windows on feedback.window_id = windows.window_id

),

final as (

    select
        measured.feedback_id,
        measured.window_id,
        measured.dept_code,
        measured.hall_name,
        measured.street,
        measured.category,
        measured.category in ({{ red_categories }}) as is_red_category,
        measured.contact_phone_key,
        measured.contact_phone_masked,
        measured.submitted_at,
        cast({{ dbt.date_trunc('month', 'measured.submitted_at') }} as date) as submitted_month,
        measured.handled_at,
        measured.handled_at is not null as is_handled,
        -- working days from submitted_at to handled_at (to as_of while unhandled)
        {{ working_days('measured.submitted_at', 'measured.measured_to_at',
                        'cal_submitted.workday_seq', 'cal_measured.workday_seq') }}
            as handling_workdays,
        {{ working_days('measured.submitted_at', 'measured.measured_to_at',
                        'cal_submitted.workday_seq', 'cal_measured.workday_seq') }}
            > {{ var('s06_handling_limit_workdays') }} as is_handling_late
    from measured
    left join calendar as cal_submitted
        on cal_submitted.calendar_date = cast(measured.submitted_at as date)
    left join calendar as cal_measured
        on cal_measured.calendar_date = cast(measured.measured_to_at as date)

)

select * from final
