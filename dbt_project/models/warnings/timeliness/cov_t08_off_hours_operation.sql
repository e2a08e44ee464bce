-- Coverage of T08: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

scope as (

    -- offline (线下) cases
    select case_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from cases
    where channel = '线下'

),

final as (

    {{ coverage_select('T08', 'scope') }}

)

select * from final
