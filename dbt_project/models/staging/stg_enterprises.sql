{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='uscc',
        on_schema_change='fail',
    )
}}
-- Enterprises (企业登记), current version per uscc (no updated_at: the later file wins).
-- The legal representative's id and the contact phone leave raw only as pseudonyms and
-- masked forms. The credit code is a legal person's public identifier; a sole
-- proprietorship's (92...) is personal and leaves raw only as its pseudonym (enterprise_id).
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['uscc'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'enterprises'), key), key) }}

),

renamed as (

    select
        ----------  ids
        {{ enterprise_id('uscc') }} as uscc,
        {{ pseudonym('uscc') }} as enterprise_key,
        {{ pseudonym('legal_rep_id') }} as legal_rep_key,
        {{ pseudonym('contact_phone') }} as contact_phone_key,

        ---------- masked personal data
        {{ mask_uscc('uscc') }} as uscc_masked,
        {{ mask_id_number('legal_rep_id') }} as legal_rep_id_masked,
        {{ mask_phone('contact_phone') }} as contact_phone_masked,

        ---------- text
        name as enterprise_name,

        ---------- dates
        registered_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'enterprises')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
