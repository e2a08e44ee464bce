-- Coverage of C02: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

expenses as (

    select * from {{ ref('stg_reception_expenses') }}

),

scope as (

    -- every current reception expense (a date outside the calendar fails the build)
    select
        expense_id as subject_id,
        case when occurred_on is null then 'missing_occurred_on' end as not_evaluable_reason
    from expenses

),

final as (

    {{ coverage_select('C02', 'scope') }}

)

select * from final
