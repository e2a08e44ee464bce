-- P03 报价异常: a tender with p03_min_bids (3) or more priced bids whose prices lie too
-- close together, (max - min) / min < p03_max_spread_ratio (1%), or form an arithmetic
-- progression: every gap g between neighbouring sorted prices within
-- p03_progression_tolerance (0.001) x the mean gap of the mean gap, the mean gap > 0.
-- Compared without division: with R = max - min and n prices, the mean gap is R / (n - 1),
-- so abs(g - mean) <= t x mean  <=>  abs(g x (n - 1) - R) <= t x R; the spread test is
-- R < ratio x min. Prices stay decimal(18, 2) (stg_bids) and the ratios are cast to a
-- decimal, so a spread of exactly 1% to the cent is exactly 1% (not below it): in
-- floating point, or through a division (DuckDB divides decimals in double precision),
-- it is not. The wide numeric type keeps ratio x price from overflowing (DuckDB keeps the
-- larger operand's width when it multiplies decimals).
{%- set max_spread_ratio = 'cast(' ~ var('p03_max_spread_ratio')
                          ~ ' as ' ~ dbt.type_numeric() ~ ')' %}
{%- set progression_tolerance = 'cast(' ~ var('p03_progression_tolerance')
                               ~ ' as ' ~ dbt.type_numeric() ~ ')' %}
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

bids as (

    select * from {{ ref('stg_bids') }}
    where bid_price is not null

),

gaps as (

    select
        tender_id,
        bidder_uscc,
        bid_price,
        bid_price - lag(bid_price) over (
            partition by tender_id order by bid_price, bidder_uscc
        ) as gap
    from bids

),

price_summary as (

    select
        tender_id,
        count(*) as bid_count,
        min(bid_price) as min_price,
        max(bid_price) as max_price,
        {{ json_array_agg('bid_price', 'bid_price, bidder_uscc') }} as sorted_prices,
        {{ json_array_agg('bidder_uscc', 'bid_price, bidder_uscc') }} as bidders_by_price
    from gaps
    group by tender_id

),

gap_check as (

    select
        gaps.tender_id,
        max(abs(gaps.gap * (price_summary.bid_count - 1)
                - (price_summary.max_price - price_summary.min_price))) as max_scaled_deviation
    from gaps
    inner join price_summary on gaps.tender_id = price_summary.tender_id
    where gaps.gap is not null
    group by gaps.tender_id

),

judged as (

    select
        price_summary.*,
        (price_summary.max_price - price_summary.min_price)
            < {{ max_spread_ratio }} * price_summary.min_price as is_tight_spread,
        price_summary.max_price > price_summary.min_price
            and gap_check.max_scaled_deviation
                <= {{ progression_tolerance }}
                   * (price_summary.max_price - price_summary.min_price) as is_progression,
        -- for the alert and its evidence only (a double by the output contract): divided
        -- as doubles, as DuckDB divides decimals, so Spark (whose decimal division keeps
        -- 19 digits) gives the same double
        case when price_summary.min_price > 0
             then cast(price_summary.max_price - price_summary.min_price as {{ type_double() }})
                  / cast(price_summary.min_price as {{ type_double() }})
        end as spread_ratio,
        cast(price_summary.max_price - price_summary.min_price as {{ type_double() }})
            / (price_summary.bid_count - 1) as mean_gap
    from price_summary
    inner join gap_check on price_summary.tender_id = gap_check.tender_id
    where price_summary.bid_count >= {{ var('p03_min_bids') }}

),

patterned as (

    select * from judged
    where is_tight_spread or is_progression

),

alert_rows as (

    select
        patterned.tender_id as subject_id,
        tenders.buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        patterned.spread_ratio as metric_value,
        {{ var('p03_max_spread_ratio') }} as threshold_value,
        coalesce(tenders.bid_deadline_at, tenders.published_at) as occurred_on,
        {{ json_object([
            ('tender_id', 'patterned.tender_id'),
            ('bid_count', 'patterned.bid_count'),
            ('sorted_prices', json_value('patterned.sorted_prices')),
            ('bidders_by_price', json_value('patterned.bidders_by_price')),
            ('spread_ratio', 'patterned.spread_ratio'),
            ('mean_gap', 'patterned.mean_gap'),
            ('is_tight_spread', 'patterned.is_tight_spread'),
            ('is_arithmetic_progression', 'patterned.is_progression'),
            ('p03_max_spread_ratio', var('p03_max_spread_ratio')),
            ('p03_progression_tolerance', var('p03_progression_tolerance')),
        ]) }} as evidence
    from patterned
    left join tenders on patterned.tender_id = tenders.tender_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
