{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['case_id', 'event_seq'],
        on_schema_change='fail',
    )
}}
-- case_events has no updated_at: for a repeated (case_id, seq) the later file name wins.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['case_id', 'seq'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'case_events'), key), key) }}

),

renamed as (

    select
        ----------  ids
        case_id,
        cast(seq as integer) as event_seq,
        staff_id,

        ---------- text
        event_type,
        procedure_type,
        note,

        ---------- timestamps
        event_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'case_events')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
