-- C01 超标准接待: amount / (guests + companions) > reception_per_person_cap, or more
-- companions than allowed (c01_small_party_max_companions when guests <=
-- c01_small_party_max_guests, else guests / c01_companion_guest_divisor), or a venue in
-- c01_prohibited_venue_types. Red when the venue is in c01_red_venue_types, else yellow.
-- Comparisons are multiplied out (amount > cap x diners, companions x divisor > guests)
-- so 150.00 a head or exactly guests / 3 companions never fire through rounding.
{%- set cap = var('reception_per_person_cap') %}
{%- set small_guests = var('c01_small_party_max_guests') %}
{%- set small_companions = var('c01_small_party_max_companions') %}
{%- set divisor = var('c01_companion_guest_divisor') %}
with

expenses as (

    select * from {{ ref('stg_reception_expenses') }}

),

measured as (

    select
        expense_id,
        dept_code,
        approved_by_staff_id,
        occurred_on,
        amount,
        guests,
        coalesce(companions, 0) as companions,
        venue_type,
        invoice_no,
        guests + coalesce(companions, 0) as diners,
        case when guests <= {{ small_guests }} then {{ small_companions }}
             else guests / {{ divisor }}.0 end as companion_limit,
        case when guests <= {{ small_guests }}
             then coalesce(companions, 0) > {{ small_companions }}
             else coalesce(companions, 0) * {{ divisor }} > guests end as is_over_companion_limit
    from expenses

),

judged as (

    select
        *,
        case when diners > 0 then amount / diners end as amount_per_head,
        diners > 0 and amount > {{ cap }} * diners as is_over_per_head_cap,
        coalesce(
            venue_type in ({{ "'" ~ var('c01_prohibited_venue_types') | join("', '") ~ "'" }}),
            false
        )
            as is_prohibited_venue,
        coalesce(venue_type in ('{{ var("c01_red_venue_types") | join("', '") }}'), false)
            as is_red_venue
    from measured

),

above_standard as (

    select * from judged
    where is_over_per_head_cap or is_over_companion_limit or is_prohibited_venue

),

alert_rows as (

    select
        expense_id as subject_id,
        dept_code,
        approved_by_staff_id as staff_id,
        is_red_venue,
        round(amount_per_head, 2) as metric_value,
        {{ cap }} as threshold_value,
        occurred_on,
        {{ json_object([
            ('expense_id', 'expense_id'),
            ('occurred_on', 'occurred_on'),
            ('invoice_no', 'invoice_no'),
            ('amount', 'amount'),
            ('guests', 'guests'),
            ('companions', 'companions'),
            ('amount_per_head', 'round(amount_per_head, 2)'),
            ('companion_limit', 'round(companion_limit, 2)'),
            ('venue_type', 'venue_type'),
            ('over_per_head_cap', 'is_over_per_head_cap'),
            ('over_companion_limit', 'is_over_companion_limit'),
            ('prohibited_venue', 'is_prohibited_venue'),
            ('reception_per_person_cap', cap),
        ]) }} as evidence
    from above_standard

),

final as (

    {{ alert_select('alert_rows',
                    severity_expr="case when is_red_venue then 'red' else 'yellow' end") }}

)

select * from final
