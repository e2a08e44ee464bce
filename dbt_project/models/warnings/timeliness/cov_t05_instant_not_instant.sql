-- Coverage of T05: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    -- accepted 即办件 cases
    select case_id as subject_id, clock_not_evaluable_reason as not_evaluable_reason
    from cases
    where is_in_instant_scope

),

final as (

    {{ coverage_select('T05', 'scope') }}

)

select * from final
