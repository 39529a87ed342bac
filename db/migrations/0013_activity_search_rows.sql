-- The catalogue search at a million activities (issue #6, bench/README.md): a search for words within a map view
-- fetches every candidate row to count facets, and in `activities` (about 1.3 kB a row, stored in the order they were
-- written) each candidate is a heap page of its own. This table keeps a narrow copy of each published activity's
-- searchable columns (about 850 bytes, most of it the search vector), rewritten every night in the order of the
-- 0.01° squares of activity_area_search_vector(), so the candidates of one place share pages.
--
-- Writes to the catalogue wait while this migration runs (the copy must see every activity): about a minute at a million
-- activities, a fraction of a second for a city's thousands.
LOCK TABLE "activities" IN SHARE MODE;
--> statement-breakpoint
CREATE TABLE "activity_search_rows" (
	"id" uuid PRIMARY KEY NOT NULL,
	"city_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"status" text NOT NULL,
	"format" text NOT NULL,
	"next_start_at" timestamp with time zone,
	"last_end_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"age_min" integer,
	"age_max" integer,
	"cost_kind" text NOT NULL,
	"languages" text[] NOT NULL,
	"accessibility" text[] NOT NULL,
	"skill_ids" uuid[] NOT NULL,
	"location" "point",
	"district" text,
	"search_vector" "tsvector" NOT NULL
) WITH (fillfactor = 90);
--> statement-breakpoint
-- Each statement on activities applied to the copy: published rows are inserted or updated (only where a copied column
-- changed, so a row keeps its place when an edit touches nothing the search reads), others removed. Activity ids
-- never change. The free tenth of each page (fillfactor) lets the hourly next-date refresh update rows in place.
CREATE FUNCTION activity_search_rows_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM activity_search_rows s USING old_rows o WHERE s.id = o.id;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM activity_search_rows s USING new_rows n WHERE s.id = n.id AND n.status <> 'published';
  END IF;
  INSERT INTO activity_search_rows AS s (id, city_id, organisation_id, status, format, next_start_at, last_end_at,
         published_at, age_min, age_max, cost_kind, languages, accessibility, skill_ids, location, district, search_vector)
  SELECT n.id, n.city_id, n.organisation_id, n.status, n.format, n.next_start_at, n.last_end_at, n.published_at,
         n.age_min, n.age_max, n.cost_kind, n.languages, n.accessibility, n.skill_ids, n.location, n.district,
         n.search_vector
    FROM new_rows n
   WHERE n.status = 'published'
  ON CONFLICT (id) DO UPDATE SET
         city_id = EXCLUDED.city_id, organisation_id = EXCLUDED.organisation_id, status = EXCLUDED.status,
         format = EXCLUDED.format, next_start_at = EXCLUDED.next_start_at, last_end_at = EXCLUDED.last_end_at,
         published_at = EXCLUDED.published_at, age_min = EXCLUDED.age_min, age_max = EXCLUDED.age_max,
         cost_kind = EXCLUDED.cost_kind, languages = EXCLUDED.languages, accessibility = EXCLUDED.accessibility,
         skill_ids = EXCLUDED.skill_ids, location = EXCLUDED.location, district = EXCLUDED.district,
         search_vector = EXCLUDED.search_vector
   -- point has no equality operator: its coordinates are compared.
   WHERE (s.city_id, s.organisation_id, s.status, s.format, s.next_start_at, s.last_end_at, s.published_at, s.age_min,
          s.age_max, s.cost_kind, s.languages, s.accessibility, s.skill_ids, s.location[0], s.location[1], s.district,
          s.search_vector)
         IS DISTINCT FROM
         (EXCLUDED.city_id, EXCLUDED.organisation_id, EXCLUDED.status, EXCLUDED.format, EXCLUDED.next_start_at,
          EXCLUDED.last_end_at, EXCLUDED.published_at, EXCLUDED.age_min, EXCLUDED.age_max, EXCLUDED.cost_kind,
          EXCLUDED.languages, EXCLUDED.accessibility, EXCLUDED.skill_ids, EXCLUDED.location[0], EXCLUDED.location[1],
          EXCLUDED.district, EXCLUDED.search_vector);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activities_search_rows_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_search_rows_apply();
--> statement-breakpoint
CREATE TRIGGER activities_search_rows_update AFTER UPDATE ON activities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_search_rows_apply();
--> statement-breakpoint
CREATE TRIGGER activities_search_rows_delete AFTER DELETE ON activities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_search_rows_apply();
--> statement-breakpoint
CREATE FUNCTION activity_search_rows_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE activity_search_rows;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activities_search_rows_truncate AFTER TRUNCATE ON activities
  FOR EACH STATEMENT EXECUTE FUNCTION activity_search_rows_clear();
--> statement-breakpoint
-- The copy rewritten in place order: a new table filled in the order of the squares (rows without a place last), its
-- indexes built, then put in the old one's place. Writers to the catalogue wait from the first statement to the end of
-- the caller's transaction (their triggers write here); searches go on reading the old table until the swap. Returns
-- the number of rows written. Called by the nightly job (reorderSearchRows) and below.
CREATE FUNCTION activity_search_rows_reorder() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  LOCK TABLE activity_search_rows IN SHARE MODE;
  DROP TABLE IF EXISTS activity_search_rows_next;
  CREATE TABLE activity_search_rows_next (LIKE activity_search_rows INCLUDING ALL EXCLUDING INDEXES)
    WITH (fillfactor = 90);
  INSERT INTO activity_search_rows_next
  SELECT * FROM activity_search_rows
   ORDER BY city_id, floor(location[0] / 0.01::float8), floor(location[1] / 0.01::float8), id;
  GET DIAGNOSTICS written = ROW_COUNT;
  ALTER TABLE activity_search_rows_next ADD CONSTRAINT activity_search_rows_next_pkey PRIMARY KEY (id);
  CREATE INDEX activity_search_rows_next_area_idx ON activity_search_rows_next
    USING gin (activity_area_search_vector(search_vector, location));
  DROP TABLE activity_search_rows;
  ALTER TABLE activity_search_rows_next RENAME TO activity_search_rows;
  ALTER TABLE activity_search_rows RENAME CONSTRAINT activity_search_rows_next_pkey TO activity_search_rows_pkey;
  ALTER INDEX activity_search_rows_next_area_idx RENAME TO activity_search_rows_area_idx;
  RETURN written;
END
$$;
--> statement-breakpoint
INSERT INTO activity_search_rows (id, city_id, organisation_id, status, format, next_start_at, last_end_at, published_at,
       age_min, age_max, cost_kind, languages, accessibility, skill_ids, location, district, search_vector)
SELECT id, city_id, organisation_id, status, format, next_start_at, last_end_at, published_at, age_min, age_max,
       cost_kind, languages, accessibility, skill_ids, location, district, search_vector
  FROM activities
 WHERE status = 'published';
--> statement-breakpoint
-- Ordered, with its area index (the table above was filled without one, which is faster).
SELECT activity_search_rows_reorder();
