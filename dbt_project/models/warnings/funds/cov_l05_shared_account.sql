-- Coverage of L05: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

scope as (

    -- every (bank account, program, period) paid at least once
    select distinct
        {{ dbt.concat(["bank_account_key", "'|'", "program_code", "'|'", "period_label"]) }}
            as subject_id,
        cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from payments
    where bank_account_key is not null

    union all

    -- payments without an account: one subject per program and period, not evaluable
    select distinct
        {{ dbt.concat(["'(no account)'", "'|'", "program_code", "'|'", "period_label"]) }}
            as subject_id,
        'missing_bank_account' as not_evaluable_reason
    from payments
    where bank_account_key is null

),

final as (

    {{ coverage_select('L05', 'scope') }}

)

select * from final
