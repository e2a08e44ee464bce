with

source as (

    {{ ranked_versions(source('raw', 'departments'), ['dept_code']) }}

),

renamed as (

    select
        ----------  ids
        dept_code,
        parent_code as parent_dept_code,

        ---------- text
        dept_name,
        region_code,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
