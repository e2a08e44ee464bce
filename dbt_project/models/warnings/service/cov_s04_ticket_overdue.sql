-- Coverage of S04: every current hotline ticket (deadline_at is required, so every one
-- can be judged).
with

tickets as (

    select * from {{ ref('stg_hotline_tickets') }}

),

scope as (

    select ticket_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from tickets

),

final as (

    {{ coverage_select('S04', 'scope') }}

)

select * from final
