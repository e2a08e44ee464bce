-- Enterprises (企业登记), current version per uscc (no updated_at: the later file wins).
-- The legal representative's id and the contact phone leave raw only as pseudonyms and
-- masked forms; the credit code itself is an enterprise's public identifier.
with

source as (

    {{ ranked_versions(source('raw', 'enterprises'), ['uscc']) }}

),

renamed as (

    select
        ----------  ids
        uscc,
        {{ pseudonym('uscc') }} as enterprise_key,
        {{ pseudonym('legal_rep_id') }} as legal_rep_key,
        {{ pseudonym('contact_phone') }} as contact_phone_key,

        ---------- masked personal data
        {{ mask_id_number('legal_rep_id') }} as legal_rep_id_masked,
        {{ mask_phone('contact_phone') }} as contact_phone_masked,

        ---------- text
        name as enterprise_name,

        ---------- dates
        registered_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
