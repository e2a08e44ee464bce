{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
    )
}}
-- 12345 hotline tickets, current version per ticket_id: the later export file wins (the
-- source has no updated_at). caller_phone leaves raw only as a pseudonym and a masked
-- form. address (事发地址, often a home address) does not leave raw; subject is kept
-- with ID and mobile numbers masked, never in marts.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['ticket_id'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'hotline_tickets'), key), key) }}

),

renamed as (

    select
        ----------  ids
        ticket_id,
        dept_code,

        ---------- pseudonymised personal data
        {{ pseudonym('caller_phone') }} as caller_phone_key,
        {{ mask_phone('caller_phone') }} as caller_phone_masked,

        ---------- text
        category,
        {{ redact_personal_text('subject') }} as subject_redacted,
        address is not null as has_address,

        ---------- numerics
        cast(satisfaction as integer) as satisfaction,

        ---------- timestamps
        created_at,
        deadline_at,
        responded_at,
        closed_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'hotline_tickets')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
