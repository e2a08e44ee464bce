-- The current version of each case (rules.md, current version).
with

versions as (

    select * from {{ ref('stg_cases_versions') }}

),

current_versions as (

    select * from versions
    where version_number = version_count

)

select * from current_versions
