{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['uscc', 'person_key', 'role'],
        on_schema_change='fail',
    )
}}
-- Enterprise persons (股东及主要人员), current version per (uscc, person_id, role).
-- A sole proprietorship's credit code (92...) leaves raw only as its pseudonym
-- (enterprise_id), the same value stg_enterprises, stg_bids and stg_awards carry.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['uscc', 'person_id', 'role'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'enterprise_persons'), key), key) }}

),

renamed as (

    select
        ----------  ids
        {{ enterprise_id('uscc') }} as uscc,
        {{ pseudonym('uscc') }} as enterprise_key,
        {{ pseudonym('person_id') }} as person_key,

        ---------- masked personal data
        {{ mask_id_number('person_id') }} as person_id_masked,

        ---------- text
        role,

        ---------- numerics
        cast(share_ratio as {{ type_double() }}) as share_ratio,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'enterprise_persons')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
