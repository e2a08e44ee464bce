{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='feedback_id',
        on_schema_change='fail',
    )
}}
-- 码上监督 QR feedback, current version per feedback_id: the later export file wins (the
-- source has no updated_at). contact_phone leaves raw only as a pseudonym and a masked
-- form; content and result are kept with ID and mobile numbers masked, never in marts.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['feedback_id'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'qr_feedback'), key), key) }}

),

renamed as (

    select
        ----------  ids
        feedback_id,
        window_id,

        ---------- pseudonymised personal data
        {{ pseudonym('contact_phone') }} as contact_phone_key,
        {{ mask_phone('contact_phone') }} as contact_phone_masked,

        ---------- text
        category,
        {{ redact_personal_text('content') }} as content_redacted,
        {{ redact_personal_text('result') }} as result_redacted,

        ---------- timestamps
        submitted_at,
        handled_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'qr_feedback')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
