-- One row per current 12345 ticket with its deadline status (S04) and handling time.
-- Callers appear only as pseudonyms and masked phones; address and subject stay out.
with

tickets as (

    select * from {{ ref('stg_hotline_tickets') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

measured as (

    select
        *,
        closed_at is null as is_open,
        coalesce(closed_at, {{ as_of_end() }}) as measured_to_at
    from tickets

),

final as (

    select
        measured.ticket_id,
        measured.dept_code,
        measured.category,
        measured.caller_phone_key,
        measured.caller_phone_masked,
        measured.has_address,
        measured.created_at,
        cast({{ dbt.date_trunc('month', 'measured.created_at') }} as date) as created_month,
        measured.deadline_at,
        measured.responded_at,
        measured.closed_at,
        measured.is_open,
        measured.measured_to_at > measured.deadline_at as is_overdue,
        case when measured.measured_to_at > measured.deadline_at
             then round({{ dbt.datediff('measured.deadline_at', 'measured.measured_to_at',
                                        'second') }} / 3600.0, 2)
        end as hours_overdue,
        -- working days from created_at to closed_at (to as_of while open)
        {{ working_days('measured.created_at', 'measured.measured_to_at',
                        'cal_created.workday_seq', 'cal_measured.workday_seq') }}
            as handling_workdays,
        measured.satisfaction
    from measured
    left join calendar as cal_created
        on cal_created.calendar_date = cast(measured.created_at as date)
    left join calendar as cal_measured
        on cal_measured.calendar_date = cast(measured.measured_to_at as date)

)

select * from final
