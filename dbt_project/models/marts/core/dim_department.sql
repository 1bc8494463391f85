-- The owning departments of the catalogue.
select department, department_name, head_role
from {{ ref('departments') }}
