-- S04 工单超期: a hotline ticket closed after its deadline_at, or still open at the end
-- of as_of past its deadline_at.
with

tickets as (

    select * from {{ ref('stg_hotline_tickets') }}

),

measured as (

    select
        *,
        closed_at is null as is_open,
        coalesce(closed_at, {{ as_of_end() }}) as measured_to_at
    from tickets

),

overdue as (

    select * from measured
    where measured_to_at > deadline_at

),

alert_rows as (

    select
        ticket_id as subject_id,
        dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        -- hours past the deadline (at closure, or at the end of as_of while open)
        round({{ dbt.datediff('deadline_at', 'measured_to_at', 'second') }} / 3600.0, 2)
            as metric_value,
        0 as threshold_value,
        deadline_at as occurred_on,
        {{ json_object([
            ('ticket_id', 'ticket_id'),
            ('dept_code', 'dept_code'),
            ('category', 'category'),
            ('created_at', 'created_at'),
            ('deadline_at', 'deadline_at'),
            ('responded_at', 'responded_at'),
            ('closed_at', 'closed_at'),
            ('is_open_at_as_of', 'is_open'),
            ('measured_to', 'measured_to_at'),
        ]) }} as evidence
    from overdue

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
