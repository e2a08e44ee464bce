-- Coverage of S05: every caller (pseudonym of caller_phone) and department with a ticket.
-- A ticket without a caller_phone cannot be linked to its caller's other tickets: it is
-- counted as its own subject (ticket:<ticket_id>), not evaluable.
with

tickets as (

    select * from {{ ref('stg_hotline_tickets') }}

),

scope as (

    select distinct
        {{ dbt.concat(['caller_phone_key', "'|'", 'dept_code']) }} as subject_id,
        cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from tickets
    where caller_phone_key is not null

    union all

    select
        {{ dbt.concat(["'ticket:'", 'ticket_id']) }} as subject_id,
        'no_caller_phone' as not_evaluable_reason
    from tickets
    where caller_phone_key is null

),

final as (

    {{ coverage_select('S05', 'scope') }}

)

select * from final
