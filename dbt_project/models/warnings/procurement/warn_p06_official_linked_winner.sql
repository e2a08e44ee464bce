-- P06 干部关联中标: a person of the winner (legal representative or enterprise_persons) is
-- a staff member of the buyer department or a relative of one. The links come from the
-- relations model (int_staff_enterprise_links) via int_tender_official_links.
with

links as (

    select * from {{ ref('int_tender_official_links') }}

),

per_tender as (

    select
        tender_id,
        buyer_dept_code,
        winner_uscc,
        min(staff_id) as first_staff_id,
        count(*) as link_count,
        {{ json_array_agg(json_value(json_object([
            ('staff_id', 'staff_id'),
            ('relation', 'relation'),
            ('person_key', 'person_key'),
            ('enterprise_role', 'enterprise_role'),
        ])), 'staff_id, relation, person_key, enterprise_role') }} as linked_people
    from links
    group by tender_id, buyer_dept_code, winner_uscc

),

alert_rows as (

    select
        tender_id as subject_id,
        buyer_dept_code as dept_code,
        first_staff_id as staff_id,
        link_count as metric_value,
        1 as threshold_value,
        {{ latest_date_in(ref('stg_awards'), 'awarded_at',
                          'occurred_source.tender_id = per_tender.tender_id') }} as occurred_on,
        {{ json_object([
            ('tender_id', 'tender_id'),
            ('buyer_dept_code', 'buyer_dept_code'),
            ('winner_uscc', 'winner_uscc'),
            ('links', json_value('linked_people')),
        ]) }} as evidence
    from per_tender

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
