-- Coverage of C01: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

expenses as (

    select * from {{ ref('stg_reception_expenses') }}

),

scope as (

    -- every current reception expense; without diners the per-head amount is undefined
    -- (the companion and venue checks still run, so such an expense can still fire)
    select
        expense_id as subject_id,
        case when guests + coalesce(companions, 0) <= 0 then 'no_diners' end
            as not_evaluable_reason
    from expenses

),

final as (

    {{ coverage_select('C01', 'scope') }}

)

select * from final
