-- Coverage of L03: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

programs as (

    select * from {{ ref('stg_subsidy_programs') }}

),

scope as (

    -- every current payment; one of a program the programs export lacks, or of a program
    -- without a standard, cannot be compared
    select
        payments.payment_id as subject_id,
        case
            when programs.program_code is null then 'unknown_program'
            when programs.max_amount_per_period is null then 'program_without_max_amount'
        end as not_evaluable_reason
    from payments
    left join programs on payments.program_code = programs.program_code

),

final as (

    {{ coverage_select('L03', 'scope') }}

)

select * from final
