-- Coverage of T07: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    -- every current case
    select case_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from cases

),

final as (

    {{ coverage_select('T07', 'scope') }}

)

select * from final
