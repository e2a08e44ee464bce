-- Coverage of F04: every phone and item with offline cases of >= 2 distinct applicants
-- (a phone used by one applicant only is no shared phone); not evaluable when none of
-- its cases names a window whose street is known.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

windows as (

    select * from {{ ref('stg_windows') }}

),

groups as (

    select
        cases.applicant_phone_key,
        cases.item_code,
        count(distinct cases.applicant_key) as applicant_count,
        count(windows.street) as cases_with_street
    from cases
    left join windows on cases.window_id = windows.window_id
    where cases.channel = '线下' and cases.applicant_phone_key is not null
    group by cases.applicant_phone_key, cases.item_code

),

scope as (

    select
        {{ dbt.concat(['applicant_phone_key', "'|'", 'item_code']) }} as subject_id,
        case when cases_with_street = 0 then 'no_window_street' end as not_evaluable_reason
    from groups
    where applicant_count >= 2

),

final as (

    {{ coverage_select('F04', 'scope') }}

)

select * from final
