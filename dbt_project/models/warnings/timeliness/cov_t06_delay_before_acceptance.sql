-- Coverage of T06: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    -- every current case; an ended case never accepted, refused or sent a correction
    -- notice has no answer time to measure to
    select
        case_id as subject_id,
        case
            when accepted_at is null and first_response_event_at is null and not is_open
                then 'ended_without_acceptance_time'
        end as not_evaluable_reason
    from cases

),

final as (

    {{ coverage_select('T06', 'scope') }}

)

select * from final
