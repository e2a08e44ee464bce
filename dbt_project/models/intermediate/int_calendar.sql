-- The working-day calendar (rules.md, working day): every day of the years the China
-- calendar seed knows (seeds/china_calendar.csv, the State Council's schedules), plus
-- every day of the years named in calendar_overrides (weekends off by default there),
-- overrides winning. workday_seq counts the working
-- days on or before the day, so workdays(a, b) = seq(date b) - seq(date a).
with

builtin as (

    select
        cast(day as date) as calendar_date,
        is_workday,
        holiday_name
    from {{ ref('china_calendar') }}

),

overrides as (

    select * from {{ ref('stg_calendar_overrides') }}

),

builtin_years as (

    select distinct extract(year from calendar_date) as calendar_year from builtin

),

override_only_years as (

    select distinct extract(year from calendar_date) as calendar_year
    from overrides
    where extract(year from calendar_date) not in (
        select builtin_years.calendar_year from builtin_years
    )

),

digits as (

    select t.d from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as t (d)

),

day_offsets as (

    select hundreds.d * 100 + tens.d * 10 + ones.d as day_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
    where hundreds.d * 100 + tens.d * 10 + ones.d < 366

),

override_year_days as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset',
            "cast(cast(cast(override_only_years.calendar_year as integer) as "
            ~ dbt.type_string() ~ ") || '-01-01' as date)") }} as date)
            as calendar_date
    from override_only_years
    cross join day_offsets

),

weekday_defaults as (

    select
        calendar_date,
        {{ day_of_week_iso('calendar_date') }} < 6 as is_workday,
        cast(null as {{ dbt.type_string() }}) as holiday_name
    from override_year_days
    where extract(year from calendar_date) in (
        select override_only_years.calendar_year from override_only_years
    )

),

all_days as (

    select calendar_date, is_workday, holiday_name, 'builtin' as day_source from builtin
    union all
    select calendar_date, is_workday, holiday_name, 'weekday_default' as day_source
    from weekday_defaults

),

with_overrides as (

    select
        all_days.calendar_date,
        coalesce(overrides.is_workday, all_days.is_workday) as is_workday,
        all_days.holiday_name,
        overrides.note as override_note,
        case when overrides.calendar_date is not null then 'override' else all_days.day_source end
            as day_source
    from all_days
    left join overrides on all_days.calendar_date = overrides.calendar_date

),

sequenced as (

    select
        calendar_date,
        cast(extract(year from calendar_date) as integer) as calendar_year,
        is_workday,
        holiday_name,
        override_note,
        day_source,
        cast(sum(case when is_workday then 1 else 0 end) over (
            order by calendar_date
            rows between unbounded preceding and current row
        ) as integer) as workday_seq
    from with_overrides

)

select * from sequenced
