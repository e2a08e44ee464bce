-- Refusals per handler and item within a department (rule F06), with the rest of the
-- department for the same item (the item's cases in the department not handled by this
-- handler). Counts per group from int_case_refusals, then arithmetic: linear in cases.
with

judged as (

    select * from {{ ref('int_case_refusals') }}

),

per_item as (

    select
        dept_code,
        item_code,
        count(*) as item_case_count,
        sum(case when is_refusal then 1 else 0 end) as item_refusal_count
    from judged
    group by dept_code, item_code

),

per_handler as (

    select
        dept_code,
        item_code,
        handler_staff_id,
        count(*) as case_count,
        sum(case when is_refusal then 1 else 0 end) as refusal_count
    from judged
    where handler_staff_id is not null
    group by dept_code, item_code, handler_staff_id

),

final as (

    select
        per_handler.dept_code,
        per_handler.item_code,
        per_handler.handler_staff_id,
        per_handler.case_count,
        per_handler.refusal_count,
        cast(per_handler.refusal_count as {{ type_double() }}) / per_handler.case_count
            as refusal_rate,
        per_item.item_case_count - per_handler.case_count as rest_case_count,
        per_item.item_refusal_count - per_handler.refusal_count as rest_refusal_count,
        case when per_item.item_case_count > per_handler.case_count
             then cast(
                     per_item.item_refusal_count - per_handler.refusal_count as {{ type_double() }}
                 )
                  / (per_item.item_case_count - per_handler.case_count)
        end as rest_refusal_rate
    from per_handler
    inner join per_item
        on per_handler.dept_code = per_item.dept_code
        and per_handler.item_code = per_item.item_code

)

select * from final
