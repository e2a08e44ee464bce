-- Coverage of L01: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

scope as (

    -- every current payment; all are judged (a recipient with no death registration
    -- simply has no death date to be paid after)
    select
        payment_id as subject_id,
        case when paid_at is null then 'missing_paid_at' end as not_evaluable_reason
    from payments

),

final as (

    {{ coverage_select('L01', 'scope') }}

)

select * from final
