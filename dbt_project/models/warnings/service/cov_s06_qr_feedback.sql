-- Coverage of S06: every current QR feedback (submitted_at and category are required, so
-- every one can be judged).
with

feedback as (

    select * from {{ ref('stg_qr_feedback') }}

),

scope as (

    select feedback_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from feedback

),

final as (

    {{ coverage_select('S06', 'scope') }}

)

select * from final
