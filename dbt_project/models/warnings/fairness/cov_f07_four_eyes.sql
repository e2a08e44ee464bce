-- Coverage of F07: every case with both a handler and an approver whose item is a 承诺件
-- or unknown (an unknown item cannot be judged).
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    select
        case_id as subject_id,
        case when not is_item_known then 'unknown_item' end as not_evaluable_reason
    from cases
    where handler_staff_id is not null
      and approver_staff_id is not null
      and coalesce(item_type, '承诺件') = '承诺件'

),

final as (

    {{ coverage_select('F07', 'scope') }}

)

select * from final
