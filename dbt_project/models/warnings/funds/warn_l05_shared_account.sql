-- L05 一户多领: one bank account receives payments for l05_min_recipients or more distinct
-- recipients of one program and period. One group by (account, program, period); the
-- evidence lists are built only for the groups that qualify (a few among millions).
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

staff as (

    select * from {{ ref('stg_staff') }}

),

qualifying as (

    select bank_account_key, program_code, period_label
    from payments
    where bank_account_key is not null
    group by bank_account_key, program_code, period_label
    having count(distinct recipient_key) >= {{ var('l05_min_recipients') }}

),

-- the payments of the qualifying groups, ranked within their group: the alert goes to the
-- handler of the first payment, the earliest paid_at and on a tie the smallest
-- payment_id, so its staff member (and department) is the same in every run (a portable
-- window: DuckDB's arg_min would break the tie arbitrarily)
qualifying_payments as (

    select
        payments.*,
        row_number() over (
            partition by bank_account_key, program_code, period_label
            order by payments.paid_at, payments.payment_id
        ) as payment_rank
    from payments
    inner join qualifying using (bank_account_key, program_code, period_label)

),

first_payments as (

    select
        bank_account_key, program_code, period_label,
        handled_by_staff_id as first_handler_staff_id
    from qualifying_payments
    where payment_rank = 1

),

groups as (

    select
        bank_account_key,
        program_code,
        period_label,
        {{ dbt.concat(["bank_account_key", "'|'", "program_code", "'|'", "period_label"]) }}
            as subject_id,
        count(distinct recipient_key) as recipient_count,
        count(*) as payment_count,
        sum(amount) as total_amount,
        min(bank_account_masked) as bank_account_masked,
        {{ json_array_agg('payment_id', 'paid_at, payment_id') }} as payment_ids,
        {{ json_array_agg('recipient_id_masked', 'paid_at, payment_id') }} as recipient_ids_masked,
        {{ json_array_agg('paid_at', 'paid_at, payment_id') }} as paid_ats
    from qualifying_payments
    group by bank_account_key, program_code, period_label

),

alert_rows as (

    select
        groups.subject_id,
        staff.dept_code,
        first_payments.first_handler_staff_id as staff_id,
        groups.recipient_count as metric_value,
        {{ var('l05_min_recipients') }} as threshold_value,
        {{ json_element_date('groups.paid_ats', -1) }} as occurred_on,
        {{ json_object([
            ('bank_account_masked', 'groups.bank_account_masked'),
            ('program_code', 'groups.program_code'),
            ('period_label', 'groups.period_label'),
            ('recipient_count', 'groups.recipient_count'),
            ('payment_count', 'groups.payment_count'),
            ('total_amount', 'groups.total_amount'),
            ('payment_ids', json_value('groups.payment_ids')),
            ('recipient_ids_masked', json_value('groups.recipient_ids_masked')),
            ('paid_at', json_value('groups.paid_ats')),
            ('l05_min_recipients', var('l05_min_recipients')),
        ]) }} as evidence
    from groups
    inner join first_payments using (bank_account_key, program_code, period_label)
    left join staff on first_payments.first_handler_staff_id = staff.staff_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
