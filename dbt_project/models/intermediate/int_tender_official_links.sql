-- Awarded tenders whose winner is linked to the buyer department (rule P06, 干部关联中标):
-- a person of the winner (its legal representative or anyone in enterprise_persons) is a
-- staff member of the buyer department or a declared relative of one. The relation
-- itself comes from the relations model (int_staff_enterprise_links); this only joins it
-- to the awards on (winner, buyer department). One row per tender, staff member, linked
-- person and enterprise role.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

staff_enterprise_links as (

    select * from {{ ref('int_staff_enterprise_links') }}

),

final as (

    select
        awards.tender_id,
        tenders.buyer_dept_code,
        awards.winner_uscc,
        staff_enterprise_links.staff_id,
        staff_enterprise_links.person_key,
        staff_enterprise_links.relation,
        staff_enterprise_links.enterprise_role
    from awards
    inner join tenders on awards.tender_id = tenders.tender_id
    inner join staff_enterprise_links
        on awards.winner_uscc = staff_enterprise_links.uscc
        and tenders.buyer_dept_code = staff_enterprise_links.dept_code

)

select * from final
