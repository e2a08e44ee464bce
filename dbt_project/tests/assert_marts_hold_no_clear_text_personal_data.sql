-- No column of marts.fct_cases / dim_staff may hold a clear-text resident ID number
-- (18 characters, 17 digits and a digit or X) or a mainland mobile number (11 digits).
with

candidates as (

    select 'fct_cases.applicant_id_masked' as col, applicant_id_masked as val
    from {{ ref('fct_cases') }}
    union all
    select 'fct_cases.applicant_phone_masked' as col, applicant_phone_masked as val
    from {{ ref('fct_cases') }}
    union all
    select 'fct_cases.applicant_name_masked' as col, applicant_name_masked as val
    from {{ ref('fct_cases') }}
    union all
    select 'dim_staff.id_number_masked' as col, id_number_masked as val
    from {{ ref('dim_staff') }}

)

select * from candidates
where {{ regexp_matches('val', '^[0-9]{17}[0-9X]$') }}
    or {{ regexp_matches('val', '^1[0-9]{10}$') }}
