-- Coverage of F06: every handler with >= f06_min_cases cases of an item; not evaluable
-- when the rest of the department has fewer than f06_min_cases cases of it to compare.
with

refusals as (

    select * from {{ ref('int_handler_item_refusals') }}

),

scope as (

    select
        {{ dbt.concat(['handler_staff_id', "'|'", 'item_code']) }} as subject_id,
        case when rest_case_count < {{ var('f06_min_cases') }}
             then 'rest_of_department_fewer_than_{{ var("f06_min_cases") }}_cases'
        end as not_evaluable_reason
    from refusals
    where case_count >= {{ var('f06_min_cases') }}

),

final as (

    {{ coverage_select('F06', 'scope') }}

)

select * from final
