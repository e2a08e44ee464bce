-- Coverage of F01: every handler and item with a completed agent case, not evaluable when
-- there are too few completed agent or non-agent cases to compare medians.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

completed as (

    select handler_staff_id, item_code, agent_id is not null as is_agent_case
    from cases
    where status = '已办结'
      and handler_staff_id is not null
      and elapsed_days is not null

),

per_handler_item as (

    select
        handler_staff_id,
        item_code,
        sum(case when is_agent_case then 1 else 0 end) as agent_case_count,
        sum(case when is_agent_case then 0 else 1 end) as non_agent_case_count
    from completed
    group by handler_staff_id, item_code

),

scope as (

    select
        {{ dbt.concat(['handler_staff_id', "'|'", 'item_code']) }} as subject_id,
        case
            when agent_case_count < {{ var('f01_min_agent_cases') }} then 'too_few_agent_cases'
            when non_agent_case_count < {{ var('f01_min_non_agent_cases') }}
                then 'too_few_non_agent_cases'
        end as not_evaluable_reason
    from per_handler_item
    where agent_case_count > 0

),

final as (

    {{ coverage_select('F01', 'scope') }}

)

select * from final
