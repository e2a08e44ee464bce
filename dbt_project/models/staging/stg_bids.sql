-- Bids (投标), current version per (tender_id, bidder_uscc) (no updated_at: the later
-- file wins). contact_phone is personal: it leaves raw only as a pseudonym (to compare
-- bidders, rule P02) and a masked form. A sole proprietorship's credit code (92...) is
-- personal too: bidder_uscc holds its pseudonym (enterprise_id), as every staging model
-- does. file_ip, file_mac and file_creator_id identify machines, not people: they stay in
-- clear text, they are the evidence of P02.
with

source as (

    {{ ranked_versions(source('raw', 'bids'), ['tender_id', 'bidder_uscc']) }}

),

renamed as (

    select
        ----------  ids
        tender_id,
        {{ enterprise_id('bidder_uscc') }} as bidder_uscc,
        {{ pseudonym("nullif(trim(contact_phone), '')") }} as contact_phone_key,

        ---------- masked personal data
        {{ mask_uscc('bidder_uscc') }} as bidder_uscc_masked,
        {{ mask_phone("nullif(trim(contact_phone), '')") }} as contact_phone_masked,

        ---------- machine ids (empty means unknown)
        nullif(trim(file_ip), '') as file_ip,
        nullif(trim(file_mac), '') as file_mac,
        nullif(trim(file_creator_id), '') as file_creator_id,

        ---------- numerics
        -- money stays decimal(18, 2) as in raw: P03 and P05 compare it to the cent
        cast(bid_price as decimal(18, 2)) as bid_price,

        ---------- timestamps
        submitted_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
