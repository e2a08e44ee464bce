with

source as (

    {{ ranked_versions(source('raw', 'calendar_overrides'), ['day']) }}

),

renamed as (

    select
        ---------- dates
        cast(day as date) as calendar_date,

        ---------- booleans
        is_workday,

        ---------- text
        note,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
