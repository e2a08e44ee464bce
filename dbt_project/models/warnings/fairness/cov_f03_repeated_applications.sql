-- Coverage of F03: every applicant and item with a case; a case without a submission
-- time cannot be placed in a window.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

groups as (

    select
        applicant_key,
        item_code,
        sum(case when submitted_at is null then 1 else 0 end) as undated_case_count
    from cases
    where applicant_key is not null
    group by applicant_key, item_code

),

scope as (

    select
        {{ dbt.concat(['applicant_key', "'|'", 'item_code']) }} as subject_id,
        case when undated_case_count > 0 then 'missing_submitted_at' end as not_evaluable_reason
    from groups

),

final as (

    {{ coverage_select('F03', 'scope') }}

)

select * from final
