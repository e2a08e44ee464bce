-- Awards (中标), current version per tender_id (no updated_at: the later file wins).
with

source as (

    {{ ranked_versions(source('raw', 'awards'), ['tender_id']) }}

),

renamed as (

    select
        ----------  ids
        tender_id,
        winner_uscc,

        ---------- numerics
        -- money stays decimal(18, 2) as in raw, like every amount in staging
        cast(award_price as decimal(18, 2)) as award_price,

        ---------- timestamps
        awarded_at,
        contract_signed_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
