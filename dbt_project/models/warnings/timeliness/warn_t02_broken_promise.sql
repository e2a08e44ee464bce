-- T02 超承诺时限: an accepted 承诺件 case with promised limit < elapsed <= statutory limit.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

evaluable as (

    select * from cases
    where is_in_promised_scope and clock_not_evaluable_reason is null

),

broken as (

    select * from evaluable
    where elapsed_days > promised_limit_days
        and elapsed_days <= statutory_limit_days

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        elapsed_days as metric_value,
        promised_limit_days as threshold_value,
        {{ day_past_limit('limit_unit', 'accepted_at', 'promised_limit_days',
                          'lawful_suspended_days', 'clock_end_at') }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('item_code', 'item_code'),
            ('limit_unit', 'limit_unit'),
            ('accepted_at', 'accepted_at'),
            ('clock_end_at', 'clock_end_at'),
            ('completed_at', 'completed_at'),
            ('gross_days', 'clock_days_gross'),
            ('lawful_suspended_days', 'lawful_suspended_days'),
            ('elapsed_days', 'elapsed_days'),
            ('promised_limit_days', 'promised_limit_days'),
            ('case_promised_limit_days', 'case_promised_limit_days'),
            ('has_extension', 'has_extension'),
            ('extension_days', var('extension_days')),
            ('statutory_limit_days', 'statutory_limit_days'),
        ]) }} as evidence
    from broken

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
