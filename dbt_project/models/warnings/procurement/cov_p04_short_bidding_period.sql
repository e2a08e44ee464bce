-- Coverage of P04: 公开招标 tenders; one without published_at or bid_deadline_at is not
-- evaluable.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

scope as (

    select
        tender_id as subject_id,
        case
            when published_at is null then 'published_at_missing'
            when bid_deadline_at is null then 'bid_deadline_at_missing'
        end as not_evaluable_reason
    from tenders
    where procedure_type = '公开招标'

),

final as (

    {{ coverage_select('P04', 'scope') }}

)

select * from final
