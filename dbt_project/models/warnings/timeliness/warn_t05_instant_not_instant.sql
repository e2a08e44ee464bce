-- T05 即办件未即办: an accepted 即办件 case completed on a later day than it was accepted,
-- or still open at as_of on a later day.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

evaluable as (

    select
        *,
        case
            when completed_at is not null then cast(completed_at as date)
            when is_open then as_of
        end as judged_on
    from cases
    where is_in_instant_scope and clock_not_evaluable_reason is null

),

late as (

    select
        *,
        {{ calendar_days_between('accepted_at', 'judged_on') }} as days_after_acceptance
    from evaluable
    where judged_on > cast(accepted_at as date)

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        days_after_acceptance as metric_value,
        0 as threshold_value,
        cast({{ dbt.dateadd('day', 1, 'cast(accepted_at as date)') }} as date) as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('item_code', 'item_code'),
            ('item_type', 'item_type'),
            ('status', 'status'),
            ('accepted_at', 'accepted_at'),
            ('completed_at', 'completed_at'),
            ('as_of', 'as_of'),
            ('is_open', 'is_open'),
            ('days_after_acceptance', 'days_after_acceptance'),
        ]) }} as evidence
    from late

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
