-- Coverage of T03: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    -- accepted 承诺件 cases open at as_of
    select case_id as subject_id, clock_not_evaluable_reason as not_evaluable_reason
    from cases
    where is_in_promised_scope and is_open

),

final as (

    {{ coverage_select('T03', 'scope') }}

)

select * from final
