-- L02 重复发放: l02_min_payments or more payments to one recipient for one program and
-- period. One group by (recipient, program, period): no pairwise comparison; the evidence
-- lists are built only for the groups that qualify (a few among millions).
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

staff as (

    select * from {{ ref('stg_staff') }}

),

qualifying as (

    select recipient_key, program_code, period_label
    from payments
    where recipient_key is not null
    group by recipient_key, program_code, period_label
    having count(*) >= {{ var('l02_min_payments') }}

),

-- the payments of the qualifying groups, ranked within their group: the alert goes to the
-- handler of the first payment, the earliest paid_at and on a tie the smallest
-- payment_id, so its staff member (and department) is the same in every run (a portable
-- window: DuckDB's arg_min would break the tie arbitrarily)
qualifying_payments as (

    select
        payments.*,
        row_number() over (
            partition by recipient_key, program_code, period_label
            order by payments.paid_at, payments.payment_id
        ) as payment_rank
    from payments
    inner join qualifying using (recipient_key, program_code, period_label)

),

first_payments as (

    select recipient_key, program_code, period_label, handled_by_staff_id as first_handler_staff_id
    from qualifying_payments
    where payment_rank = 1

),

groups as (

    select
        recipient_key,
        program_code,
        period_label,
        count(*) as payment_count,
        sum(amount) as total_amount,
        min(recipient_id_masked) as recipient_id_masked,
        {{ dbt.concat(["recipient_key", "'|'", "program_code", "'|'", "period_label"]) }}
            as subject_id,
        {{ json_array_agg('payment_id', 'paid_at, payment_id') }} as payment_ids,
        {{ json_array_agg('paid_at', 'paid_at, payment_id') }} as paid_ats,
        {{ json_array_agg('amount', 'paid_at, payment_id') }} as amounts,
        {{ json_array_agg('handled_by_staff_id', 'paid_at, payment_id') }} as handler_staff_ids
    from qualifying_payments
    group by recipient_key, program_code, period_label

),

alert_rows as (

    select
        groups.subject_id,
        staff.dept_code,
        first_payments.first_handler_staff_id as staff_id,
        groups.payment_count as metric_value,
        {{ var('l02_min_payments') }} as threshold_value,
        {{ json_element_date('groups.paid_ats', -1) }} as occurred_on,
        {{ json_object([
            ('recipient_id_masked', 'groups.recipient_id_masked'),
            ('program_code', 'groups.program_code'),
            ('period_label', 'groups.period_label'),
            ('payment_count', 'groups.payment_count'),
            ('total_amount', 'groups.total_amount'),
            ('payment_ids', json_value('groups.payment_ids')),
            ('paid_at', json_value('groups.paid_ats')),
            ('amounts', json_value('groups.amounts')),
            ('handler_staff_ids', json_value('groups.handler_staff_ids')),
            ('l02_min_payments', var('l02_min_payments')),
        ]) }} as evidence
    from groups
    inner join first_payments using (recipient_key, program_code, period_label)
    left join staff on first_payments.first_handler_staff_id = staff.staff_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
