-- L03 超标准发放: a payment whose amount exceeds its program's max_amount_per_period.
-- Payments of an unknown program, or of a program without a standard, are not evaluable
-- (cov_l03_above_standard).
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

programs as (

    select * from {{ ref('stg_subsidy_programs') }}

),

staff as (

    select * from {{ ref('stg_staff') }}

),

above as (

    select
        payments.payment_id,
        payments.program_code,
        programs.program_name,
        payments.period_label,
        payments.amount,
        payments.paid_at,
        payments.handled_by_staff_id,
        payments.recipient_id_masked,
        programs.max_amount_per_period
    from payments
    inner join programs on payments.program_code = programs.program_code
    where payments.amount > programs.max_amount_per_period

),

alert_rows as (

    select
        above.payment_id as subject_id,
        staff.dept_code,
        above.handled_by_staff_id as staff_id,
        above.amount as metric_value,
        above.max_amount_per_period as threshold_value,
        above.paid_at as occurred_on,
        {{ json_object([
            ('payment_id', 'above.payment_id'),
            ('program_code', 'above.program_code'),
            ('program_name', 'above.program_name'),
            ('period_label', 'above.period_label'),
            ('amount', 'above.amount'),
            ('max_amount_per_period', 'above.max_amount_per_period'),
            ('paid_at', 'above.paid_at'),
            ('recipient_id_masked', 'above.recipient_id_masked'),
        ]) }} as evidence
    from above
    left join staff on above.handled_by_staff_id = staff.staff_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
