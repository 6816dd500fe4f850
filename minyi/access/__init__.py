"""The access module: the only way code obtains cases for a person, and decides what they may do.

- `cases`: which cases an actor sees (`cases_visible_to`, `access_case_by_id`, …) and which
  operations of the workflow they may perform on one (`check_operation`, `allowed_operations`).
- `personal_data`: masking of the requester's personal data and its audited reveal.
"""
