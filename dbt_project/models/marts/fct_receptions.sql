-- One row per current reception expense with what C01 and C02 judge: the per-head amount,
-- the companion limit, whether the day was a day off, and the venue.
{%- set small_guests = var('c01_small_party_max_guests') %}
with

expenses as (

    select * from {{ ref('stg_reception_expenses') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

above_standard as (

    select subject_id as expense_id from {{ ref('warn_c01_reception_above_standard') }}

),

final as (

    select
        ---------- ids
        expenses.expense_id,
        expenses.dept_code,
        expenses.approved_by_staff_id,
        expenses.invoice_no,

        ---------- dates
        expenses.occurred_on,
        not calendar.is_workday as is_day_off,
        calendar.holiday_name,

        ---------- numerics
        expenses.amount,
        expenses.guests,
        coalesce(expenses.companions, 0) as companions,
        expenses.guests + coalesce(expenses.companions, 0) as diners,
        case when expenses.guests + coalesce(expenses.companions, 0) > 0
             then round(expenses.amount / (expenses.guests + coalesce(expenses.companions, 0)), 2)
        end as amount_per_head,
        case when expenses.guests <= {{ small_guests }}
             then {{ var('c01_small_party_max_companions') }}
             else round(expenses.guests / {{ var('c01_companion_guest_divisor') }}.0, 2)
        end as companion_limit,

        ---------- text
        expenses.venue_type,

        ---------- flags
        above_standard.expense_id is not null as is_above_standard

    from expenses
    left join calendar on expenses.occurred_on = calendar.calendar_date
    left join above_standard on expenses.expense_id = above_standard.expense_id

)

select * from final
