-- Tenders (招标项目), current version per tender_id (no updated_at: the later file wins).
-- No personal data: a tender is the buyer department's public announcement.
with

source as (

    {{ ranked_versions(source('raw', 'tenders'), ['tender_id']) }}

),

renamed as (

    select
        ----------  ids
        tender_id,
        buyer_dept_code,

        ---------- text
        project_name,
        procedure_type,

        ---------- numerics
        -- money stays decimal(18, 2) as in raw: P03 and P05 compare it to the cent
        cast(ceiling_price as decimal(18, 2)) as ceiling_price,
        cast(estimated_value as decimal(18, 2)) as estimated_value,

        ---------- timestamps
        published_at,
        bid_deadline_at,

        ---------- booleans
        coalesce(is_key_project, false) as is_key_project,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
