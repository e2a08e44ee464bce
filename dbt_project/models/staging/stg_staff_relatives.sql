-- Staff members' family (干部家庭成员), current version per (staff_id, relative_id).
with

source as (

    {{ ranked_versions(source('raw', 'staff_relatives'), ['staff_id', 'relative_id']) }}

),

renamed as (

    select
        ----------  ids
        staff_id,
        {{ pseudonym('relative_id') }} as relative_key,

        ---------- masked personal data
        {{ mask_id_number('relative_id') }} as relative_id_masked,

        ---------- text
        relation,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
