-- P02 围标串标关联: p02_min_linked_bidders (2) or more distinct bidders of the tender share
-- a non-empty file_ip, file_mac, file_creator_id or contact_phone, or have the same legal
-- representative. The links are found in int_tender_bidder_links (key joins only).
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

links as (

    select * from {{ ref('int_tender_bidder_links') }}

),

shared_values as (

    select
        tender_id,
        attribute,
        attribute_key,
        min(shown_value) as shown_value,
        count(*) as bidder_count,
        {{ json_array_agg('bidder_uscc', 'bidder_uscc') }} as bidders
    from links
    group by tender_id, attribute, attribute_key

),

linked_bidders as (

    select distinct tender_id, bidder_uscc
    from links

),

per_tender as (

    select
        shared_values.tender_id,
        count(*) as shared_value_count,
        {{ json_array_agg(json_value(json_object([
            ('attribute', 'attribute'),
            ('value', 'shown_value'),
            ('bidders', json_value('bidders')),
        ])), 'attribute, shown_value') }} as shared
    from shared_values
    group by shared_values.tender_id

),

bidder_lists as (

    select
        tender_id,
        count(*) as linked_bidder_count,
        {{ json_array_agg('bidder_uscc', 'bidder_uscc') }} as linked_bidders
    from linked_bidders
    group by tender_id

),

alert_rows as (

    select
        per_tender.tender_id as subject_id,
        tenders.buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        bidder_lists.linked_bidder_count as metric_value,
        {{ var('p02_min_linked_bidders') }} as threshold_value,
        coalesce(tenders.bid_deadline_at, tenders.published_at) as occurred_on,
        {{ json_object([
            ('tender_id', 'per_tender.tender_id'),
            ('procedure_type', 'tenders.procedure_type'),
            ('linked_bidder_count', 'bidder_lists.linked_bidder_count'),
            ('linked_bidders', json_value('bidder_lists.linked_bidders')),
            ('shared_values', json_value('per_tender.shared')),
            ('p02_min_linked_bidders', var('p02_min_linked_bidders')),
        ]) }} as evidence
    from per_tender
    inner join bidder_lists on per_tender.tender_id = bidder_lists.tender_id
    left join tenders on per_tender.tender_id = tenders.tender_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
