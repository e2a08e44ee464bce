-- No column of marts.fct_subsidy_payments may hold a clear-text resident ID number (18
-- characters, 17 digits and a digit or X) or a bank account (12 or more digits, spaces
-- allowed): only pseudonym keys and masked display forms.
with

candidates as (

    select 'fct_subsidy_payments.recipient_id_masked' as col, recipient_id_masked as val
    from {{ ref('fct_subsidy_payments') }}
    union all
    select 'fct_subsidy_payments.recipient_name_masked' as col, recipient_name_masked as val
    from {{ ref('fct_subsidy_payments') }}
    union all
    select 'fct_subsidy_payments.bank_account_masked' as col, bank_account_masked as val
    from {{ ref('fct_subsidy_payments') }}

)

select * from candidates
where {{ regexp_matches('val', '^[0-9]{17}[0-9X]$') }}
    or {{ regexp_matches("replace(val, ' ', '')", '^[0-9]{12,}$') }}
