-- Pseudonymised: id_number and staff_name never leave raw in clear text.
with

source as (

    {{ ranked_versions(source('raw', 'staff'), ['staff_id']) }}

),

renamed as (

    select
        ----------  ids
        staff_id,
        dept_code,
        {{ pseudonym('id_number') }} as person_key,

        ---------- masked personal data
        {{ mask_id_number('id_number') }} as id_number_masked,
        {{ mask_name('staff_name') }} as staff_name_masked,

        ---------- text
        post,

        ---------- booleans
        coalesce(is_official, true) as is_official,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
