-- F02 中介专人对接: an agent with >= f02_min_agent_cases accepted cases in a department has
-- >= f02_min_handler_share of them accepted by one handler whose share of the
-- department's other accepted cases (not filed by this agent) for the items this agent
-- filed is <= f02_max_other_share. Not evaluable when there are no such other cases.
with

shares as (

    select * from {{ ref('int_agent_handler_shares') }}

),

affinities as (

    select * from shares
    where agent_case_count >= {{ var('f02_min_agent_cases') }}
      and handler_staff_id is not null
      and handler_case_count >= {{ var('f02_min_handler_share') }} * agent_case_count
      and other_case_count > 0
      and handler_other_case_count <= {{ var('f02_max_other_share') }} * other_case_count

),

alert_rows as (

    select
        {{ dbt.concat(['handler_staff_id', "'|'", 'agent_id']) }} as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        handler_share as metric_value,
        {{ var('f02_min_handler_share') }} as threshold_value,
        {{ latest_date_in(ref('int_cases_enriched'), 'accepted_at',
            'occurred_source.dept_code = affinities.dept_code'
            ~ ' and occurred_source.agent_id = affinities.agent_id'
            ~ ' and occurred_source.handler_staff_id = affinities.handler_staff_id')
        }} as occurred_on,
        {{ json_object([
            ('staff_id', 'handler_staff_id'),
            ('agent_id', 'agent_id'),
            ('dept_code', 'dept_code'),
            ('agent_accepted_case_count', 'agent_case_count'),
            ('accepted_by_this_handler', 'handler_case_count'),
            ('handler_share', 'handler_share'),
            ('agent_item_codes', json_value('agent_item_codes')),
            ('other_accepted_case_count', 'other_case_count'),
            ('other_accepted_by_this_handler', 'handler_other_case_count'),
            ('handler_other_share', 'handler_other_share'),
            ('f02_min_agent_cases', var('f02_min_agent_cases')),
            ('f02_min_handler_share', var('f02_min_handler_share')),
            ('f02_max_other_share', var('f02_max_other_share')),
        ]) }} as evidence
    from affinities

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
