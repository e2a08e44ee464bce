-- Coverage of F05: every current case; a case with neither a handler nor an approver
-- names nobody who could be in conflict.
with

cases as (

    select * from {{ ref('stg_cases') }}

),

scope as (

    select
        case_id as subject_id,
        case
            when handler_staff_id is null and approver_staff_id is null
                then 'no_handler_or_approver'
            when applicant_key is null then 'missing_applicant_id'
        end as not_evaluable_reason
    from cases

),

final as (

    {{ coverage_select('F05', 'scope') }}

)

select * from final
