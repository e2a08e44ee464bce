-- Bidders of one tender that share something (rule P02, 围标串标): a non-empty file_ip,
-- file_mac, file_creator_id or contact_phone of their bids, or the same legal
-- representative (enterprises.legal_rep_id). One row per tender, shared attribute value
-- and bidder, for every value that p02_min_linked_bidders or more distinct bidders of the
-- tender share.
--
-- Joins on keys only: the bids of a tender are grouped by each attribute value and the
-- distinct bidders counted, never every bidder compared with every other, so the cost
-- grows with the number of bids, not with its square.
with

bids as (

    select * from {{ ref('stg_bids') }}

),

enterprises as (

    select * from {{ ref('stg_enterprises') }}

),

-- one row per bid and attribute it carries; attribute_key is what is compared,
-- shown_value what the evidence shows (machine ids as they are, phones and person ids
-- only masked)
bid_attributes as (

    select
        tender_id, bidder_uscc, 'file_ip' as attribute,
        file_ip as attribute_key, file_ip as shown_value
    from bids
    where file_ip is not null

    union all

    select
        tender_id, bidder_uscc, 'file_mac' as attribute,
        file_mac as attribute_key, file_mac as shown_value
    from bids
    where file_mac is not null

    union all

    select
        tender_id, bidder_uscc, 'file_creator_id' as attribute,
        file_creator_id as attribute_key, file_creator_id as shown_value
    from bids
    where file_creator_id is not null

    union all

    select
        tender_id, bidder_uscc, 'contact_phone' as attribute,
        contact_phone_key as attribute_key, contact_phone_masked as shown_value
    from bids
    where contact_phone_key is not null

    union all

    select
        bids.tender_id, bids.bidder_uscc, 'legal_rep_id' as attribute,
        enterprises.legal_rep_key as attribute_key,
        enterprises.legal_rep_id_masked as shown_value
    from bids
    inner join enterprises on bids.bidder_uscc = enterprises.uscc
    where enterprises.legal_rep_key is not null

),

-- stg_bids is unique on (tender_id, bidder_uscc) and every bid gives at most one row per
-- attribute, so count(*) counts distinct bidders (and is much cheaper than a distinct)
shared_values as (

    select tender_id, attribute, attribute_key
    from bid_attributes
    group by tender_id, attribute, attribute_key
    having count(*) >= {{ var('p02_min_linked_bidders') }}

),

final as (

    select
        bid_attributes.tender_id,
        bid_attributes.attribute,
        bid_attributes.attribute_key,
        bid_attributes.shown_value,
        bid_attributes.bidder_uscc
    from bid_attributes
    inner join shared_values
        on bid_attributes.tender_id = shared_values.tender_id
        and bid_attributes.attribute = shared_values.attribute
        and bid_attributes.attribute_key = shared_values.attribute_key

)

select * from final
