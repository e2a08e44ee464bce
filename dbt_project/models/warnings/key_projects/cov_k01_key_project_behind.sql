-- Coverage of K01: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

milestones as (

    select * from {{ ref('stg_key_projects') }}

),

scope as (

    -- every current project milestone; one without a planned date cannot be late
    select
        {{ dbt.concat(["project_id", "'|'", "milestone"]) }} as subject_id,
        case when planned_on is null then 'missing_planned_on' end as not_evaluable_reason
    from milestones

),

final as (

    {{ coverage_select('K01', 'scope') }}

)

select * from final
