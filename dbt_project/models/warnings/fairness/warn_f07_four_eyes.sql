-- F07 受审不分离: a 承诺件 case whose handler (acceptance) and approver are the same staff
-- member (four-eyes principle: 受理与审批相分离).
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

same_person as (

    select * from cases
    where item_type = '承诺件'
      and handler_staff_id is not null
      and handler_staff_id = approver_staff_id

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        1 as metric_value,
        1 as threshold_value,
        coalesce(completed_at, accepted_at) as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('item_code', 'item_code'),
            ('item_type', 'item_type'),
            ('handler_staff_id', 'handler_staff_id'),
            ('approver_staff_id', 'approver_staff_id'),
            ('accepted_at', 'accepted_at'),
            ('completed_at', 'completed_at'),
        ]) }} as evidence
    from same_person

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
