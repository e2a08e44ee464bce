{{ config(severity='warn') }}
-- The working-day calendar should have no missing year between its first and last:
-- workdays across a missing year would be miscounted. A warning, not an error: the build
-- only fails for dates a rule actually needs (macro calendar_value_or_fail).
with

years as (

    select distinct calendar_year from {{ ref('int_calendar') }}

),

gaps as (

    select
        calendar_year,
        lead(calendar_year) over (order by calendar_year) as next_year
    from years

)

select * from gaps
where next_year is not null and next_year <> calendar_year + 1
