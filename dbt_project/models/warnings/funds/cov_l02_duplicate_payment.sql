-- Coverage of L02: the subjects in the rule's scope, with the reason each could not be
-- judged (null when it could). marts.rule_coverage counts them.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

scope as (

    -- every (recipient, program, period) paid at least once
    select distinct
        {{ dbt.concat(["recipient_key", "'|'", "program_code", "'|'", "period_label"]) }}
            as subject_id,
        cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from payments
    where recipient_key is not null

),

final as (

    {{ coverage_select('L02', 'scope') }}

)

select * from final
