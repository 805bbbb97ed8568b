-- An org reference is an id exactly when it has an id's shape (8-4-4-4-12
-- hexadecimal digits); slugs of that shape are refused from now on. Slugs
-- written before that rule get a new slug made from the org's own id, so a
-- request addressed to another org's id can never land in this one.
-- The shape test is portable SQL: hyphens at positions 9, 14, 19 and 24 and
-- nothing but hexadecimal digits and hyphens (every digit REPLACEd away).
UPDATE orgs SET slug = 'org-' || REPLACE(id, '-', ''), version = version + 1
WHERE LENGTH(slug) = 36
  AND SUBSTR(slug, 9, 1) = '-' AND SUBSTR(slug, 14, 1) = '-'
  AND SUBSTR(slug, 19, 1) = '-' AND SUBSTR(slug, 24, 1) = '-'
  AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
      REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(LOWER(slug),
      '0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), '8', ''), '9', ''),
      'a', ''), 'b', ''), 'c', ''), 'd', ''), 'e', ''), 'f', ''), '-', '') = '';
