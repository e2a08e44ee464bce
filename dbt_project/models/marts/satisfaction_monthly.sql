-- Monthly satisfaction (好差评) per reviewed staff member, per window and per department:
-- one mart with a `level` column (staff / window / department) so a dashboard filters one
-- table. A review counts at every level it can be attributed to (its window may be
-- unknown, its staff member too); the month is the month of reviewed_at.
{%- set levels = [('staff', 'reviewed_staff_id'), ('window', 'window_id'), ('department', 'dept_code')] %}
with

reviews as (

    select * from {{ ref('fct_reviews') }}

),

by_level as (

    {% for level, column in levels %}
    select
        '{{ level }}' as level,
        {{ column }} as level_id,
        {% if level == 'department' %}dept_code{% else %}max(dept_code){% endif %} as dept_code,
        reviewed_month as month,
        count(*) as review_count,
        avg(cast(rating as double precision)) as rating_mean,
        sum(case when is_bad then 1 else 0 end) as bad_review_count,
        sum(case when is_rectified_within_limit then 1 else 0 end) as bad_rectified_within_limit_count
    from reviews
    where {{ column }} is not null
    group by {{ column }}, reviewed_month
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        level,
        level_id,
        dept_code,
        month,
        review_count,
        round(rating_mean, 3) as rating_mean,
        bad_review_count,
        cast(bad_review_count as double precision) / review_count as bad_share,
        bad_rectified_within_limit_count,
        case when bad_review_count > 0
             then cast(bad_rectified_within_limit_count as double precision) / bad_review_count
        end as rectification_rate
    from by_level

)

select * from final
