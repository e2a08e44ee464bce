-- L04 优亲厚友: the recipient of a payment is the handling staff member themself (本人) or
-- a relative that staff member declared (int_staff_person_links).
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

links as (

    select * from {{ ref('int_staff_person_links') }}

),

favoured as (

    select
        payments.payment_id,
        payments.program_code,
        payments.period_label,
        payments.amount,
        payments.paid_at,
        payments.handled_by_staff_id,
        payments.recipient_id_masked,
        links.dept_code,
        links.relation
    from payments
    inner join links
        on payments.handled_by_staff_id = links.staff_id
        and payments.recipient_key = links.person_key

),

alert_rows as (

    select
        payment_id as subject_id,
        dept_code,
        handled_by_staff_id as staff_id,
        1 as metric_value,
        0 as threshold_value,
        paid_at as occurred_on,
        {{ json_object([
            ('payment_id', 'payment_id'),
            ('program_code', 'program_code'),
            ('period_label', 'period_label'),
            ('amount', 'amount'),
            ('paid_at', 'paid_at'),
            ('recipient_id_masked', 'recipient_id_masked'),
            ('handled_by_staff_id', 'handled_by_staff_id'),
            ('relation', 'relation'),
        ]) }} as evidence
    from favoured

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
