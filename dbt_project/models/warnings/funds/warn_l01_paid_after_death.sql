-- L01 死亡冒领: a payment whose date (local) is after the recipient's death_date. A
-- payment on the day of death does not fire.
with

payments as (

    select * from {{ ref('stg_subsidy_payments') }}

),

deaths as (

    select * from {{ ref('stg_deaths') }}

),

staff as (

    select * from {{ ref('stg_staff') }}

),

after_death as (

    select
        payments.payment_id,
        payments.program_code,
        payments.period_label,
        payments.amount,
        payments.paid_at,
        payments.handled_by_staff_id,
        payments.recipient_id_masked,
        deaths.death_date,
        {{ dbt.datediff('deaths.death_date', 'cast(payments.paid_at as date)', 'day') }}
            as days_after_death
    from payments
    inner join deaths on payments.recipient_key = deaths.person_key
    where cast(payments.paid_at as date) > deaths.death_date

),

alert_rows as (

    select
        after_death.payment_id as subject_id,
        staff.dept_code,
        after_death.handled_by_staff_id as staff_id,
        after_death.days_after_death as metric_value,
        0 as threshold_value,
        after_death.paid_at as occurred_on,
        {{ json_object([
            ('payment_id', 'after_death.payment_id'),
            ('program_code', 'after_death.program_code'),
            ('period_label', 'after_death.period_label'),
            ('amount', 'after_death.amount'),
            ('paid_at', 'after_death.paid_at'),
            ('recipient_id_masked', 'after_death.recipient_id_masked'),
            ('death_date', 'after_death.death_date'),
            ('days_after_death', 'after_death.days_after_death'),
        ]) }} as evidence
    from after_death
    left join staff on after_death.handled_by_staff_id = staff.staff_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
