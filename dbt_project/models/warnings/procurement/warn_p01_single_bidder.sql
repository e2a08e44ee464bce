-- P01 单一投标: a tender by one of p01_procedures (公开招标, 邀请招标) with exactly one bid.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

bids as (

    select * from {{ ref('stg_bids') }}

),

bid_counts as (

    select
        tender_id,
        count(*) as bid_count,
        min(bidder_uscc) as bidder_uscc
    from bids
    group by tender_id

),

single as (

    select
        tenders.tender_id,
        tenders.buyer_dept_code,
        tenders.procedure_type,
        tenders.published_at,
        tenders.bid_deadline_at,
        bid_counts.bid_count,
        bid_counts.bidder_uscc
    from tenders
    inner join bid_counts on tenders.tender_id = bid_counts.tender_id
    where tenders.procedure_type in ({{ "'" ~ var('p01_procedures') | join("', '") ~ "'" }})
        and bid_counts.bid_count = 1

),

alert_rows as (

    select
        tender_id as subject_id,
        buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        bid_count as metric_value,
        1 as threshold_value,
        coalesce(bid_deadline_at, published_at) as occurred_on,
        {{ json_object([
            ('tender_id', 'tender_id'),
            ('procedure_type', 'procedure_type'),
            ('published_at', 'published_at'),
            ('bid_deadline_at', 'bid_deadline_at'),
            ('bid_count', 'bid_count'),
            ('bidder_uscc', 'bidder_uscc'),
        ]) }} as evidence
    from single

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
