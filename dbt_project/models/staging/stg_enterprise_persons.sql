-- Enterprise persons (股东及主要人员), current version per (uscc, person_id, role).
with

source as (

    {{ ranked_versions(source('raw', 'enterprise_persons'), ['uscc', 'person_id', 'role']) }}

),

renamed as (

    select
        ----------  ids
        uscc,
        {{ pseudonym('person_id') }} as person_key,

        ---------- masked personal data
        {{ mask_id_number('person_id') }} as person_id_masked,

        ---------- text
        role,

        ---------- numerics
        cast(share_ratio as double precision) as share_ratio,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
