-- F01 中介快办: for one handler and item, >= f01_min_agent_cases completed agent cases and
-- >= f01_min_non_agent_cases completed non-agent cases, the agent cases' median elapsed
-- <= f01_max_median_ratio x the non-agent median, and the non-agent median >=
-- f01_min_non_agent_median (medians of elapsed(case); even count: mean of the middle two).
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

completed as (

    -- completed cases with a clock: elapsed(case) is known
    select
        case_id,
        dept_code,
        handler_staff_id,
        item_code,
        agent_id is not null as is_agent_case,
        elapsed_days
    from cases
    where status = '已办结'
      and handler_staff_id is not null
      and elapsed_days is not null

),

per_handler_item as (

    select
        handler_staff_id,
        item_code,
        min(dept_code) as dept_code,
        sum(case when is_agent_case then 1 else 0 end) as agent_case_count,
        sum(case when is_agent_case then 0 else 1 end) as non_agent_case_count,
        {{ median_of('case when is_agent_case then elapsed_days end') }} as agent_median,
        {{ median_of('case when not is_agent_case then elapsed_days end') }} as non_agent_median
    from completed
    group by handler_staff_id, item_code

),

fast_tracked as (

    select * from per_handler_item
    where agent_case_count >= {{ var('f01_min_agent_cases') }}
      and non_agent_case_count >= {{ var('f01_min_non_agent_cases') }}
      and non_agent_median >= {{ var('f01_min_non_agent_median') }}
      and agent_median <= {{ var('f01_max_median_ratio') }} * non_agent_median

),

agent_cases as (

    -- the agent cases of the pairs that fire, for the evidence
    select
        completed.handler_staff_id,
        completed.item_code,
        {{ json_array_agg('completed.case_id', 'completed.case_id') }} as agent_case_ids
    from completed
    inner join fast_tracked
        on completed.handler_staff_id = fast_tracked.handler_staff_id
        and completed.item_code = fast_tracked.item_code
    where completed.is_agent_case
    group by completed.handler_staff_id, completed.item_code

),

alert_rows as (

    select
        {{ dbt.concat(['handler_staff_id', "'|'", 'item_code']) }} as subject_id,
        fast_tracked.dept_code,
        handler_staff_id as staff_id,
        fast_tracked.agent_median as metric_value,
        {{ var('f01_max_median_ratio') }} * fast_tracked.non_agent_median as threshold_value,
        {{ latest_date_in(ref('int_cases_clocked'), 'completed_at',
            "occurred_source.handler_staff_id = fast_tracked.handler_staff_id"
            ~ " and occurred_source.item_code = fast_tracked.item_code"
            ~ " and occurred_source.agent_id is not null and occurred_source.status = '已办结'")
        }} as occurred_on,
        {{ json_object([
            ('staff_id', 'handler_staff_id'),
            ('item_code', 'item_code'),
            ('agent_case_count', 'agent_case_count'),
            ('non_agent_case_count', 'non_agent_case_count'),
            ('agent_median_elapsed_days', 'agent_median'),
            ('non_agent_median_elapsed_days', 'non_agent_median'),
            ('agent_case_ids', json_value('agent_case_ids')),
            ('f01_min_agent_cases', var('f01_min_agent_cases')),
            ('f01_min_non_agent_cases', var('f01_min_non_agent_cases')),
            ('f01_max_median_ratio', var('f01_max_median_ratio')),
            ('f01_min_non_agent_median', var('f01_min_non_agent_median')),
        ]) }} as evidence
    from fast_tracked
    inner join agent_cases using (handler_staff_id, item_code)

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
