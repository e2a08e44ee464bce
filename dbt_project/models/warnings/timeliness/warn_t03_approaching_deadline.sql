-- T03 临期预警: an accepted 承诺件 case open at as_of, not T01/T02, with promised limit -
-- elapsed <= max(t03_min_margin_days, ceil(t03_margin_ratio x promised limit)).
-- "Not T01/T02" is elapsed <= both limits: not T01 is elapsed <= statutory, and then not
-- T02 is elapsed <= promised. Both are checked because a case's own promised limit may be
-- longer than the item's statutory one (promised 30, statutory 20, elapsed 27 is T01).
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

evaluable as (

    select
        *,
        promised_limit_days - elapsed_days as remaining_days,
        -- cast: ceil is a DOUBLE on DuckDB and a BIGINT on Spark; a count of days is an
        -- integer on both, so the evidence and the explanation read the same (2, not 2.0).
        cast(case
            when ceil({{ var('t03_margin_ratio') }} * promised_limit_days)
                > {{ var('t03_min_margin_days') }}
                then ceil({{ var('t03_margin_ratio') }} * promised_limit_days)
            else {{ var('t03_min_margin_days') }}
        end as integer) as margin_days
    from cases
    where is_in_promised_scope and is_open and clock_not_evaluable_reason is null

),

approaching as (

    select * from evaluable
    where elapsed_days <= promised_limit_days
        and elapsed_days <= statutory_limit_days
        and remaining_days <= margin_days

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        remaining_days as metric_value,
        margin_days as threshold_value,
        as_of as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('item_code', 'item_code'),
            ('limit_unit', 'limit_unit'),
            ('accepted_at', 'accepted_at'),
            ('as_of', 'as_of'),
            ('lawful_suspended_days', 'lawful_suspended_days'),
            ('elapsed_days', 'elapsed_days'),
            ('promised_limit_days', 'promised_limit_days'),
            ('remaining_days', 'remaining_days'),
            ('margin_days', 'margin_days'),
            ('t03_min_margin_days', var('t03_min_margin_days')),
            ('t03_margin_ratio', var('t03_margin_ratio')),
        ]) }} as evidence
    from approaching

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
