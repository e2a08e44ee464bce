-- The S family marts (fct_reviews, fct_hotline_tickets, fct_qr_feedback) hold phones only
-- masked: no value may look like a clear-text mainland mobile number (11 digits) or
-- resident ID number (17 digits and a digit or X).
with

candidates as (

    select 'fct_reviews.reviewer_phone_masked' as col, reviewer_phone_masked as val
    from {{ ref('fct_reviews') }}
    union all
    select 'fct_hotline_tickets.caller_phone_masked' as col, caller_phone_masked as val
    from {{ ref('fct_hotline_tickets') }}
    union all
    select 'fct_qr_feedback.contact_phone_masked' as col, contact_phone_masked as val
    from {{ ref('fct_qr_feedback') }}

)

select * from candidates
where {{ regexp_matches('replace(val, \' \', \'\')', '^1[0-9]{10}$') }}
    or {{ regexp_matches('val', '^[0-9]{17}[0-9X]$') }}
