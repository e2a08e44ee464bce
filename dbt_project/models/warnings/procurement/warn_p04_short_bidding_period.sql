-- P04 投标期过短: a 公开招标 tender whose bid deadline is fewer than p04_min_bidding_days
-- (20) calendar days after its publication: date(bid_deadline_at) - date(published_at)
-- < 20 (《招标投标法》第二十四条).
with

tenders as (

    select * from {{ ref('stg_tenders') }}
    where procedure_type = '公开招标'
        and published_at is not null
        and bid_deadline_at is not null

),

periods as (

    select
        *,
        {{ dbt.datediff('cast(published_at as date)', 'cast(bid_deadline_at as date)', 'day') }}
            as bidding_days
    from tenders

),

alert_rows as (

    select
        tender_id as subject_id,
        buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        bidding_days as metric_value,
        {{ var('p04_min_bidding_days') }} as threshold_value,
        published_at as occurred_on,
        {{ json_object([
            ('tender_id', 'tender_id'),
            ('published_at', 'published_at'),
            ('bid_deadline_at', 'bid_deadline_at'),
            ('bidding_days', 'bidding_days'),
            ('p04_min_bidding_days', var('p04_min_bidding_days')),
        ]) }} as evidence
    from periods
    where bidding_days < {{ var('p04_min_bidding_days') }}

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
