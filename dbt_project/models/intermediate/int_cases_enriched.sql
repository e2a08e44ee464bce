-- One row per current case with its item facts, the event summary and its clock end
-- (rules.md, open case and clock_end). Not-evaluable reasons for the clock rules:
-- unknown_item, missing_accepted_at, ended_without_completion_time.
with

cases as (

    select * from {{ ref('stg_cases') }}

),

items as (

    select * from {{ ref('stg_items') }}

),

event_summary as (

    select * from {{ ref('int_case_event_summary') }}

),

joined as (

    select
        cases.case_id,
        cases.item_code,
        cases.dept_code,
        cases.window_id,
        cases.channel,
        cases.applicant_type,
        cases.applicant_key,
        cases.applicant_phone_key,
        -- display forms for fct_cases, carried along so that it needs no second join of
        -- every case with stg_cases (30-40 s a run at 10M cases)
        cases.applicant_id_masked,
        cases.applicant_name_masked,
        cases.applicant_phone_masked,
        cases.agent_id,
        cases.handler_staff_id,
        cases.approver_staff_id,
        cases.status,
        cases.result,
        cases.submitted_at,
        cases.accepted_at,
        cases.completed_at,
        cases.updated_at,
        items.item_code is not null as is_item_known,
        items.item_type,
        items.limit_unit,
        items.statutory_limit_days as item_statutory_limit_days,
        items.promised_limit_days as item_promised_limit_days,
        cases.promised_limit_days as case_promised_limit_days,
        coalesce(event_summary.has_extension, false) as has_extension,
        coalesce(event_summary.extend_count, 0) as extend_count,
        coalesce(event_summary.correction_notice_count, 0) as correction_notice_count,
        coalesce(event_summary.suspension_count, 0) as suspension_count,
        coalesce(event_summary.unlawful_suspension_count, 0) as unlawful_suspension_count,
        event_summary.first_response_event_at
    from cases
    left join items on cases.item_code = items.item_code
    left join event_summary on cases.case_id = event_summary.case_id

),

clocked as (

    select
        *,
        status in ('已申请', '已受理', '办理中') and completed_at is null as is_open,
        accepted_at is not null as is_accepted,
        case
            when completed_at is not null then completed_at
            when status in ('已申请', '已受理', '办理中') then {{ as_of_end() }}
        end as clock_end_at,
        -- statutory limit: the item's, plus extension_days with an EXTEND event (art. 42)
        item_statutory_limit_days
            + case when has_extension then {{ var('extension_days') }} else 0 end
            as statutory_limit_days,
        coalesce(case_promised_limit_days, item_promised_limit_days) as promised_limit_days
    from joined

),

final as (

    select
        *,
        case
            when not is_item_known then 'unknown_item'
            when accepted_at is null and status in ('已受理', '办理中', '已办结') then 'missing_accepted_at'
            when accepted_at is not null and clock_end_at is null
                then 'ended_without_completion_time'
        end as clock_not_evaluable_reason,
        -- T01-T03 scope: accepted 承诺件 cases (an unknown item is in scope, not evaluable)
        coalesce(item_type, '承诺件') = '承诺件'
            and (accepted_at is not null or status in ('已受理', '办理中', '已办结'))
            as is_in_promised_scope,
        -- T05 scope: accepted 即办件 cases
        item_type = '即办件'
            and (accepted_at is not null or status in ('已受理', '办理中', '已办结'))
            as is_in_instant_scope
    from clocked

)

select * from final
