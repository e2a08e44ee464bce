-- For every agent and department (rule F02): the agent's accepted cases there, the
-- handler who accepted most of them and that handler's share, and how much of the
-- department's other accepted cases (not filed by this agent) for the items this agent
-- filed the same handler accepted. Pre-aggregated once per department, item, agent and
-- handler, so it stays linear in the number of cases.
with

cases as (

    select * from {{ ref('int_cases_enriched') }}

),

accepted as (

    select dept_code, item_code, agent_id, handler_staff_id, count(*) as case_count
    from cases
    where accepted_at is not null
    group by dept_code, item_code, agent_id, handler_staff_id

),

agent_totals as (

    select dept_code, agent_id, sum(case_count) as agent_case_count
    from accepted
    where agent_id is not null
    group by dept_code, agent_id

),

agent_handlers as (

    select
        dept_code,
        agent_id,
        handler_staff_id,
        sum(case_count) as handler_case_count
    from accepted
    where agent_id is not null and handler_staff_id is not null
    group by dept_code, agent_id, handler_staff_id

),

top_handlers as (

    select
        agent_handlers.*,
        row_number() over (
            partition by agent_handlers.dept_code, agent_handlers.agent_id
            order by agent_handlers.handler_case_count desc, agent_handlers.handler_staff_id asc
        ) as handler_rank
    from agent_handlers

),

agent_items as (

    select dept_code, agent_id, item_code, sum(case_count) as agent_item_case_count
    from accepted
    where agent_id is not null
    group by dept_code, agent_id, item_code

),

item_totals as (

    select dept_code, item_code, sum(case_count) as item_case_count
    from accepted
    group by dept_code, item_code

),

item_handlers as (

    select dept_code, item_code, handler_staff_id, sum(case_count) as handler_item_case_count
    from accepted
    where handler_staff_id is not null
    group by dept_code, item_code, handler_staff_id

),

candidates as (

    select
        agent_totals.dept_code,
        agent_totals.agent_id,
        agent_totals.agent_case_count,
        top_handlers.handler_staff_id,
        coalesce(top_handlers.handler_case_count, 0) as handler_case_count
    from agent_totals
    left join top_handlers
        on agent_totals.dept_code = top_handlers.dept_code
        and agent_totals.agent_id = top_handlers.agent_id
        and top_handlers.handler_rank = 1

),

others as (

    -- the department's other accepted cases for each item the agent filed
    select
        candidates.dept_code,
        candidates.agent_id,
        sum(item_totals.item_case_count - agent_items.agent_item_case_count) as other_case_count,
        sum(coalesce(item_handlers.handler_item_case_count, 0)
            - coalesce(agent_item_handlers.case_count, 0)) as handler_other_case_count,
        {{ json_array_agg('agent_items.item_code', 'agent_items.item_code') }} as agent_item_codes
    from candidates
    inner join agent_items
        on candidates.dept_code = agent_items.dept_code
        and candidates.agent_id = agent_items.agent_id
    inner join item_totals
        on agent_items.dept_code = item_totals.dept_code
        and agent_items.item_code = item_totals.item_code
    left join item_handlers
        on agent_items.dept_code = item_handlers.dept_code
        and agent_items.item_code = item_handlers.item_code
        and candidates.handler_staff_id = item_handlers.handler_staff_id
    left join accepted as agent_item_handlers
        on agent_items.dept_code = agent_item_handlers.dept_code
        and agent_items.item_code = agent_item_handlers.item_code
        and agent_items.agent_id = agent_item_handlers.agent_id
        and candidates.handler_staff_id = agent_item_handlers.handler_staff_id
    group by candidates.dept_code, candidates.agent_id

),

final as (

    select
        candidates.dept_code,
        candidates.agent_id,
        candidates.agent_case_count,
        candidates.handler_staff_id,
        candidates.handler_case_count,
        cast(candidates.handler_case_count as {{ type_double() }})
            / candidates.agent_case_count as handler_share,
        others.other_case_count,
        others.handler_other_case_count,
        case when others.other_case_count > 0
             then cast(others.handler_other_case_count as {{ type_double() }})
                 / others.other_case_count
        end as handler_other_share,
        others.agent_item_codes
    from candidates
    inner join others
        on candidates.dept_code = others.dept_code
        and candidates.agent_id = others.agent_id

)

select * from final
