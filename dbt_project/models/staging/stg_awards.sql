-- Awards (中标), current version per tender_id (no updated_at: the later file wins).
-- A sole proprietorship's credit code (92...) is personal: winner_uscc holds its
-- pseudonym (enterprise_id), the same value stg_bids and stg_enterprises carry.
with

source as (

    {{ ranked_versions(source('raw', 'awards'), ['tender_id']) }}

),

renamed as (

    select
        ----------  ids
        tender_id,
        {{ enterprise_id('winner_uscc') }} as winner_uscc,

        ---------- masked personal data
        {{ mask_uscc('winner_uscc') }} as winner_uscc_masked,

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
