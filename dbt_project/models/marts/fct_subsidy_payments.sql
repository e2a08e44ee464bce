-- One row per current subsidy payment, pseudonymised and masked only (outputs.md,
-- Privacy), with the L01 and L03 findings as flags (read from the rule models, so the
-- flag and the alert never disagree).
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

programs as (

    select * from {{ ref('stg_subsidy_programs') }}

),

paid_after_death as (

    select subject_id as payment_id from {{ ref('warn_l01_paid_after_death') }}

),

above_standard as (

    select subject_id as payment_id from {{ ref('warn_l03_above_standard') }}

),

final as (

    select
        ---------- ids
        payments.payment_id,
        payments.program_code,
        payments.handled_by_staff_id,

        ---------- pseudonymised and masked personal data
        payments.recipient_key,
        payments.recipient_id_masked,
        payments.recipient_name_masked,
        payments.bank_account_key,
        payments.bank_account_masked,

        ---------- program and period
        programs.program_name,
        programs.program_period,
        programs.max_amount_per_period,
        payments.period_label,
        payments.village,

        ---------- numerics
        payments.amount,

        ---------- timestamps
        payments.paid_at,

        ---------- flags
        paid_after_death.payment_id is not null as is_paid_after_death,
        above_standard.payment_id is not null as is_above_standard

    from payments
    left join programs on payments.program_code = programs.program_code
    left join paid_after_death on payments.payment_id = paid_after_death.payment_id
    left join above_standard on payments.payment_id = above_standard.payment_id

)

select * from final
