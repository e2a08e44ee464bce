{#- Free text (review comments, replies, ticket subjects, QR feedback) may quote a
    person's resident ID number or mobile number. Staging keeps such text only with
    those replaced by their masked forms; marts carry no free text at all. -#}

{#- Resident ID numbers (17 digits and a digit or X) -> 5101**********1234, mainland
    mobile numbers (11 digits starting 1[3-9]) -> 138****5678. -#}
{% macro redact_personal_text(expr) -%}
    case
        when {{ expr }} is null then null
        else {{ regexp_replace_all(
            regexp_replace_all(expr, '([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])', '\\1**********\\2'),
            '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\\1****\\2') }}
    end
{%- endmacro %}
