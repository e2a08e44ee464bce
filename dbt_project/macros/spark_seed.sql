{#- Seeds on Spark (docs/spark.md). dbt-spark's session method substitutes the seed's
    values into the INSERT as '<value>' with no escaping: a quote in a value (the English
    legal basis: "People's") breaks the statement, and an empty cell becomes the text
    'None'. Here each value is written as a proper Spark literal: null for an empty cell,
    otherwise the text with backslashes and quotes escaped, cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set col_name = agate_table.column_names[loop.index0] -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- if value is none -%}
                    cast(null as {{ type }})
                    {%- else -%}
                    cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}
