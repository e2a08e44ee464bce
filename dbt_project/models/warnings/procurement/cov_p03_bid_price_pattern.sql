-- Coverage of P03: tenders with at least p03_min_bids bids; one with fewer priced bids
-- than that is not evaluable (bid_price missing).
with

bids as (

    select * from {{ ref('stg_bids') }}

),

per_tender as (

    select tender_id, count(*) as bid_count, count(bid_price) as priced_count
    from bids
    group by tender_id

),

scope as (

    select
        tender_id as subject_id,
        case when priced_count < {{ var('p03_min_bids') }} then 'bid_price_missing' end
            as not_evaluable_reason
    from per_tender
    where bid_count >= {{ var('p03_min_bids') }}

),

final as (

    {{ coverage_select('P03', 'scope') }}

)

select * from final
