-- Coverage of T09: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

versions as (

    select * from {{ ref('stg_cases_versions') }}

),

scope as (

    -- cases with at least one version showing them as 已办结
    select distinct
        case_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from versions
    where status = '已办结'

),

final as (

    {{ coverage_select('T09', 'scope') }}

)

select * from final
