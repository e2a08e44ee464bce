-- Coverage of F02: every agent with >= f02_min_agent_cases accepted cases in a department,
-- as the pair with the handler who accepted most of them; not evaluable when the
-- department has no other accepted cases for the items the agent filed.
with

shares as (

    select * from {{ ref('int_agent_handler_shares') }}

),

scope as (

    select
        {{ dbt.concat(["coalesce(handler_staff_id, '(no handler)')", "'|'", 'agent_id']) }}
            as subject_id,
        case when other_case_count = 0 then 'no_other_cases' end as not_evaluable_reason
    from shares
    where agent_case_count >= {{ var('f02_min_agent_cases') }}

),

final as (

    {{ coverage_select('F02', 'scope') }}

)

select * from final
