-- Coverage of L04: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

scope as (

    -- every current payment; one without a handling staff member cannot be checked
    select
        payment_id as subject_id,
        case when handled_by_staff_id is null then 'missing_handled_by_staff_id' end
            as not_evaluable_reason
    from payments

),

final as (

    {{ coverage_select('L04', 'scope') }}

)

select * from final
