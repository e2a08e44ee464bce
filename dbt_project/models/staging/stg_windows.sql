with

source as (

    {{ ranked_versions(source('raw', 'windows'), ['window_id']) }}

),

renamed as (

    select
        ----------  ids
        window_id,
        dept_code,

        ---------- text
        hall_name,
        street,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
