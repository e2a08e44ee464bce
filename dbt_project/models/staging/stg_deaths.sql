-- Death registrations (死亡注销), current version per person_id (no updated_at: the later
-- file by name wins). person_id only as a pseudonym and a masked form.
with

source as (

    {{ ranked_versions(source('raw', 'deaths'), ['person_id']) }}

),

renamed as (

    select
        ----------  ids
        {{ pseudonym('person_id') }} as person_key,

        ---------- masked personal data
        {{ mask_id_number('person_id') }} as person_id_masked,

        ---------- dates
        death_date,
        registered_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
