-- C02 节假日接待: a reception whose occurred_on is not a working day (int_calendar: the
-- China calendar with its make-up working days 调休, after calendar_overrides). A date
-- the calendar does not know fails the build naming its year.
with

expenses as (

    select * from {{ ref('stg_reception_expenses') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

dated as (

    select
        expenses.*,
        calendar.holiday_name,
        {{ calendar_value_or_fail('calendar.is_workday', 'expenses.occurred_on') }} as is_workday
    from expenses
    left join calendar on expenses.occurred_on = calendar.calendar_date

),

on_day_off as (

    select * from dated
    where not is_workday

),

alert_rows as (

    select
        expense_id as subject_id,
        dept_code,
        approved_by_staff_id as staff_id,
        1 as metric_value,
        0 as threshold_value,
        occurred_on,
        {{ json_object([
            ('expense_id', 'expense_id'),
            ('occurred_on', 'occurred_on'),
            ('holiday_name', 'holiday_name'),
            ('amount', 'amount'),
            ('guests', 'guests'),
            ('companions', 'companions'),
            ('venue_type', 'venue_type'),
            ('invoice_no', 'invoice_no'),
        ]) }} as evidence
    from on_day_off

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
