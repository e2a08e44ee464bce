-- One row per current case with its clock (int_cases_clocked). Applicants appear only as
-- pseudonyms and masked forms: no clear-text personal data in marts.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

final as (

    select
        cases.case_id,
        cases.item_code,
        cases.dept_code,
        cases.window_id,
        cases.handler_staff_id,
        cases.approver_staff_id,
        cases.agent_id,
        cases.applicant_key,
        cases.applicant_phone_key,
        cases.applicant_id_masked,
        cases.applicant_name_masked,
        cases.applicant_phone_masked,
        cases.channel,
        cases.applicant_type,
        cases.status,
        cases.result,
        cases.item_type,
        cases.limit_unit,
        cases.submitted_at,
        cases.accepted_at,
        cases.completed_at,
        cases.updated_at,
        cases.is_open,
        cases.clock_end_at,
        cases.has_extension,
        cases.statutory_limit_days,
        cases.promised_limit_days,
        cases.suspension_count,
        cases.unlawful_suspension_count,
        cases.correction_notice_count,
        cases.lawful_suspended_days,
        cases.clock_days_gross,
        cases.elapsed_days,
        cases.clock_not_evaluable_reason
    from cases

)

select * from final
