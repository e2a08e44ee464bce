-- One row per current tender: buyer, procedure, values, its bids (count, lowest and
-- highest price, spread), the award, the bidding period, and the links found between
-- its bidders (P02) and between its winner and the buyer's staff (P06). No personal
-- data: bidders and winners are enterprises, and a sole proprietorship (个体工商户, a
-- person's business) comes from staging as a pseudonym and a masked display form; the
-- links count, they do not name people.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

bids as (

    select * from {{ ref('stg_bids') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

bidder_links as (

    select * from {{ ref('int_tender_bidder_links') }}

),

official_links as (

    select * from {{ ref('int_tender_official_links') }}

),

bid_summary as (

    select
        tender_id,
        count(*) as bid_count,
        count(bid_price) as priced_bid_count,
        min(bid_price) as min_bid_price,
        max(bid_price) as max_bid_price
    from bids
    group by tender_id

),

linked_pairs as (

    -- pairs of bidders sharing a value, within the (small) groups of shared values only
    select distinct a.tender_id, a.bidder_uscc as bidder_a, b.bidder_uscc as bidder_b
    from bidder_links as a
    inner join bidder_links as b
        on a.tender_id = b.tender_id
        and a.attribute = b.attribute
        and a.attribute_key = b.attribute_key
        and a.bidder_uscc < b.bidder_uscc

),

link_summary as (

    select
        tender_id,
        count(distinct bidder_uscc) as linked_bidder_count,
        count(distinct {{ dbt.concat(['attribute', "'|'", 'attribute_key']) }})
            as shared_value_count
    from bidder_links
    group by tender_id

),

pair_summary as (

    select tender_id, count(*) as linked_pair_count
    from linked_pairs
    group by tender_id

),

official_summary as (

    select tender_id, count(*) as official_link_count
    from official_links
    group by tender_id

),

final as (

    select
        ---------- ids
        tenders.tender_id,
        tenders.buyer_dept_code,
        awards.winner_uscc,
        awards.winner_uscc_masked,

        ---------- text
        tenders.project_name,
        tenders.procedure_type,

        ---------- values
        tenders.ceiling_price,
        tenders.estimated_value,
        awards.award_price,

        ---------- bids
        coalesce(bid_summary.bid_count, 0) as bid_count,
        coalesce(bid_summary.priced_bid_count, 0) as priced_bid_count,
        bid_summary.min_bid_price,
        bid_summary.max_bid_price,
        case when bid_summary.min_bid_price > 0
             then (bid_summary.max_bid_price - bid_summary.min_bid_price)
                 / bid_summary.min_bid_price
        end as bid_price_spread_ratio,

        ---------- timestamps and periods
        tenders.published_at,
        tenders.bid_deadline_at,
        {{ dbt.datediff('cast(tenders.published_at as date)',
                        'cast(tenders.bid_deadline_at as date)', 'day') }}
            as bidding_period_days,
        awards.awarded_at,
        awards.contract_signed_at,

        ---------- links
        coalesce(link_summary.linked_bidder_count, 0) as linked_bidder_count,
        coalesce(pair_summary.linked_pair_count, 0) as linked_bidder_pair_count,
        coalesce(link_summary.shared_value_count, 0) as shared_value_count,
        coalesce(official_summary.official_link_count, 0) as official_link_count,

        ---------- booleans
        tenders.is_key_project,
        awards.tender_id is not null as is_awarded

    from tenders
    left join bid_summary on tenders.tender_id = bid_summary.tender_id
    left join awards on tenders.tender_id = awards.tender_id
    left join link_summary on tenders.tender_id = link_summary.tender_id
    left join pair_summary on tenders.tender_id = pair_summary.tender_id
    left join official_summary on tenders.tender_id = official_summary.tender_id

)

select * from final
