{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='review_id',
        on_schema_change='fail',
    )
}}
-- Reviews (好差评), current version per review_id: the later export file wins (the
-- source has no updated_at). reviewer_phone leaves raw only as a pseudonym and a masked
-- form; the S03 reviewer key (reviewer_phone, else device_id) only as a pseudonym.
-- comment and reply are free text: kept here with ID and mobile numbers masked, never
-- in marts.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['review_id'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'reviews'), key), key) }}

),

renamed as (

    select
        ----------  ids
        review_id,
        case_id,
        window_id,
        staff_id,

        ---------- pseudonymised personal data
        {{ pseudonym('reviewer_phone') }} as reviewer_phone_key,
        {{ mask_phone('reviewer_phone') }} as reviewer_phone_masked,
        -- rules.md S03: the reviewer key is reviewer_phone, else device_id
        {{ pseudonym('coalesce(reviewer_phone, device_id)') }} as reviewer_key,
        case
            when reviewer_phone is not null then 'reviewer_phone'
            when device_id is not null then 'device_id'
        end as reviewer_key_kind,
        device_id,

        ---------- numerics
        cast(rating as integer) as rating,

        ---------- text (personal numbers masked)
        {{ redact_personal_text('comment') }} as comment_redacted,
        {{ redact_personal_text('reply') }} as reply_redacted,

        ---------- timestamps
        reviewed_at,
        rectified_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'reviews')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
