-- Coverage of P06: awarded tenders. One whose tender is unknown (no buyer) or whose
-- winner is in neither enterprises nor enterprise_persons (no persons to compare) is not
-- evaluable.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

enterprises as (

    select * from {{ ref('stg_enterprises') }}

),

enterprise_persons as (

    select distinct uscc from {{ ref('stg_enterprise_persons') }}

),

scope as (

    select
        awards.tender_id as subject_id,
        case
            when tenders.tender_id is null then 'tender_not_found'
            when enterprises.uscc is null and enterprise_persons.uscc is null
                then 'winner_not_registered'
        end as not_evaluable_reason
    from awards
    left join tenders on awards.tender_id = tenders.tender_id
    left join enterprises on awards.winner_uscc = enterprises.uscc
    left join enterprise_persons on awards.winner_uscc = enterprise_persons.uscc

),

final as (

    {{ coverage_select('P06', 'scope') }}

)

select * from final
