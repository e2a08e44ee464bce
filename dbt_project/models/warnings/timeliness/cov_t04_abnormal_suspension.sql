-- Coverage of T04: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

alerts as (

    select * from {{ ref('warn_t04_abnormal_suspension') }}

),

scope as (

    -- every current case; one with suspensions that did not fire on what could be read
    -- is not evaluable when its clock (lawful days, elapsed at start) cannot be measured
    select
        cases.case_id as subject_id,
        case
            when cases.suspension_count = 0 or alerts.subject_id is not null then null
            when not cases.is_item_known then 'unknown_item'
            when cases.accepted_at is null then 'missing_accepted_at'
            when cases.clock_end_at is null then 'ended_without_completion_time'
        end as not_evaluable_reason
    from cases
    left join alerts on cases.case_id = alerts.subject_id

),

final as (

    {{ coverage_select('T04', 'scope') }}

)

select * from final
