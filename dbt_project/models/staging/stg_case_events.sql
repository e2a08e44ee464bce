-- case_events has no updated_at: for a repeated (case_id, seq) the later file name wins.
with

source as (

    {{ ranked_versions(source('raw', 'case_events'), ['case_id', 'seq']) }}

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
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
