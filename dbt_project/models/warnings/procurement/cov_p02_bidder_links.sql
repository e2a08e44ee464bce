-- Coverage of P02: tenders with at least two bidders. One where no bid carries a file
-- ip, mac, creator id or phone and no bidder has a registered legal representative
-- cannot show a link: not evaluable.
with

bids as (

    select * from {{ ref('stg_bids') }}

),

enterprises as (

    select * from {{ ref('stg_enterprises') }}

),

per_tender as (

    select
        bids.tender_id,
        count(distinct bids.bidder_uscc) as bidder_count,
        count(bids.file_ip) + count(bids.file_mac) + count(bids.file_creator_id)
            + count(bids.contact_phone_key) + count(enterprises.legal_rep_key) as attribute_count
    from bids
    left join enterprises on bids.bidder_uscc = enterprises.uscc
    group by bids.tender_id

),

scope as (

    select
        tender_id as subject_id,
        case when attribute_count = 0 then 'no_file_ids_phones_or_legal_reps' end
            as not_evaluable_reason
    from per_tender
    where bidder_count >= {{ var('p02_min_linked_bidders') }}

),

final as (

    {{ coverage_select('P02', 'scope') }}

)

select * from final
