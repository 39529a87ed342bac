-- The catalogue at a million activities (issue #6): words within a map view through per-area lexemes, and the map's
-- clusters from cells kept on write. Measured in bench/catalogue.ts; bench/README.md has the figures.
--
-- Words within a map view. The plain full-text index holds one posting list per word for the whole city, so "cycl*"
-- in one neighbourhood read every cycling activity of the city before the location index cut them down. This vector
-- prefixes each lexeme with the key of the 0.01° square the activity is in ("2538,5477|cycling"), so a search within
-- a view asks only for its squares' lexemes ('2538,5477|cycl':* | '2539,5477|cycl':* …). Lexemes only (no positions
-- or weights): phrases are checked against search_vector itself. Declared PARALLEL UNSAFE on purpose: a search through
-- this index reads a few hundred rows, which parallel workers only slow down (their start-up costs more), and the
-- planner cannot know how few from the prefixed lexemes' statistics.
CREATE FUNCTION activity_area_search_vector(search_vector tsvector, location point) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $$
DECLARE
  area text;
BEGIN
  IF location IS NULL OR search_vector IS NULL THEN
    RETURN ''::tsvector;
  END IF;
  area := floor(location[0] / 0.01::float8)::int || ',' || floor(location[1] / 0.01::float8)::int || '|';
  -- A lexeme near tsvector's length limit (2047 bytes) is left out rather than failing the write.
  RETURN array_to_tsvector(ARRAY(
    SELECT area || lexeme FROM unnest(tsvector_to_array(search_vector)) AS lexeme WHERE octet_length(lexeme) < 2000));
END
$$;
--> statement-breakpoint
-- The map grid (search.service.ts): cells 90/2^zoom degrees wide and that times this factor high, so they are square
-- at the city's centre. Every query that groups by cells computes the height through this one function.
CREATE FUNCTION activity_map_lat_factor(center_lat double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT greatest(0.05::float8, cos(center_lat * pi() / 180))
$$;
--> statement-breakpoint
-- Whether activity_map_cells counts an activity: published, with a place, and either without dates or with a next
-- date still set (the hourly refresh clears next_start_at once the last session has ended). A pure function of the
-- row, so a trigger knows what a row contributed without looking at the clock; readers correct for the instant.
CREATE FUNCTION activity_map_counted(status text, location point, last_end_at timestamptz, next_start_at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(status = 'published' AND location IS NOT NULL AND (last_end_at IS NULL OR next_start_at IS NOT NULL),
                  false)
$$;
--> statement-breakpoint
CREATE TABLE "activity_map_cells" (
	"city_id" uuid NOT NULL,
	"cell_x" integer NOT NULL,
	"cell_y" integer NOT NULL,
	"activities" integer NOT NULL,
	"lon_sum" double precision NOT NULL,
	"lat_sum" double precision NOT NULL,
	"lon_min" double precision NOT NULL,
	"lon_max" double precision NOT NULL,
	"lat_min" double precision NOT NULL,
	"lat_max" double precision NOT NULL,
	CONSTRAINT "activity_map_cells_pkey" PRIMARY KEY("city_id","cell_x","cell_y"),
	CONSTRAINT "activity_map_cells_activities_check" CHECK ("activity_map_cells"."activities" >= 0)
);
--> statement-breakpoint
ALTER TABLE "activity_map_cells" ADD CONSTRAINT "activity_map_cells_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_area_search_idx" ON "activities" USING gin (activity_area_search_vector("search_vector", "location"));--> statement-breakpoint
CREATE INDEX "activities_map_upcoming_end_idx" ON "activities" USING btree ("city_id","last_end_at") WHERE "activities"."status" = 'published' and "activities"."location" is not null and "activities"."next_start_at" is not null;--> statement-breakpoint
CREATE INDEX "activities_map_finished_end_idx" ON "activities" USING btree ("city_id","last_end_at") WHERE "activities"."status" = 'published' and "activities"."location" is not null and "activities"."next_start_at" is null;
--> statement-breakpoint
-- One cell (zoom 14: 90/16384 degrees wide) read again from the activities: after an activity on its edge left, when
-- the extent can only be known by looking. The caller holds the cell's row lock when it exists.
CREATE FUNCTION activity_map_cell_refresh(city uuid, x integer, y integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lon_size CONSTANT float8 := 0.0054931640625;
  lat_size float8;
  live record;
BEGIN
  SELECT lon_size * activity_map_lat_factor(c.center_lat) INTO lat_size FROM cities c WHERE c.id = city;
  IF lat_size IS NULL THEN
    RETURN;
  END IF;
  SELECT count(*)::int AS n, sum(a.location[0]) AS lon_sum, sum(a.location[1]) AS lat_sum,
         min(a.location[0]) AS lon_min, max(a.location[0]) AS lon_max,
         min(a.location[1]) AS lat_min, max(a.location[1]) AS lat_max
    INTO live
    FROM activities a
   WHERE a.city_id = city
     AND a.location <@ box(point((x - 0.01) * lon_size, (y - 0.01) * lat_size),
                           point((x + 1.01) * lon_size, (y + 1.01) * lat_size))
     AND floor(a.location[0] / lon_size) = x AND floor(a.location[1] / lat_size) = y
     AND activity_map_counted(a.status, a.location, a.last_end_at, a.next_start_at);
  IF live.n = 0 THEN
    DELETE FROM activity_map_cells WHERE city_id = city AND cell_x = x AND cell_y = y;
  ELSE
    INSERT INTO activity_map_cells AS m
           (city_id, cell_x, cell_y, activities, lon_sum, lat_sum, lon_min, lon_max, lat_min, lat_max)
    VALUES (city, x, y, live.n, live.lon_sum, live.lat_sum, live.lon_min, live.lon_max, live.lat_min, live.lat_max)
    ON CONFLICT (city_id, cell_x, cell_y) DO UPDATE
       SET activities = excluded.activities, lon_sum = excluded.lon_sum, lat_sum = excluded.lat_sum,
           lon_min = excluded.lon_min, lon_max = excluded.lon_max, lat_min = excluded.lat_min, lat_max = excluded.lat_max;
  END IF;
END
$$;
--> statement-breakpoint
-- Every cell of a city from the activities (this migration, and a change of the city's centre, which changes the grid).
CREATE FUNCTION activity_map_cells_rebuild(city uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM activity_map_cells WHERE city_id = city;
  INSERT INTO activity_map_cells (city_id, cell_x, cell_y, activities, lon_sum, lat_sum, lon_min, lon_max, lat_min, lat_max)
  SELECT a.city_id, floor(a.location[0] / 0.0054931640625::float8)::int,
         floor(a.location[1] / (0.0054931640625::float8 * activity_map_lat_factor(c.center_lat)))::int,
         count(*)::int, sum(a.location[0]), sum(a.location[1]),
         min(a.location[0]), max(a.location[0]), min(a.location[1]), max(a.location[1])
    FROM activities a JOIN cities c ON c.id = a.city_id
   WHERE a.city_id = city AND activity_map_counted(a.status, a.location, a.last_end_at, a.next_start_at)
   GROUP BY 1, 2, 3;
END
$$;
--> statement-breakpoint
-- After each statement on activities: what its rows added to and took from the cells, applied cell by cell in key
-- order (so concurrent writers lock cells in the same order), each cell's row locked first so writers queue on it.
-- Counts and sums change by the difference; the extent grows with what came, and is read again from the activities
-- only when something on the cell's edge left.
CREATE FUNCTION activity_map_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lon_size CONSTANT float8 := 0.0054931640625;
  city_ids uuid[];
  lons float8[];
  lats float8[];
  signs integer[];
  d record;
  m activity_map_cells%ROWTYPE;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.city_id), array_agg(n.location[0]), array_agg(n.location[1]), array_agg(1)
      INTO city_ids, lons, lats, signs
      FROM new_rows n
     WHERE activity_map_counted(n.status, n.location, n.last_end_at, n.next_start_at);
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.city_id), array_agg(o.location[0]), array_agg(o.location[1]), array_agg(-1)
      INTO city_ids, lons, lats, signs
      FROM old_rows o
     WHERE activity_map_counted(o.status, o.location, o.last_end_at, o.next_start_at);
  ELSE
    -- A row counted before and after at the same place changes nothing (most updates: text, dates ahead, versions).
    SELECT array_agg(x.city_id), array_agg(x.lon), array_agg(x.lat), array_agg(x.sign)
      INTO city_ids, lons, lats, signs
      FROM (SELECT o.city_id AS old_city, o.location AS old_location, n.city_id AS new_city, n.location AS new_location,
                   activity_map_counted(o.status, o.location, o.last_end_at, o.next_start_at) AS old_counted,
                   activity_map_counted(n.status, n.location, n.last_end_at, n.next_start_at) AS new_counted
              FROM old_rows o JOIN new_rows n ON n.id = o.id) p
      CROSS JOIN LATERAL (VALUES (p.old_city, p.old_location[0], p.old_location[1], -1, p.old_counted),
                                 (p.new_city, p.new_location[0], p.new_location[1], 1, p.new_counted)) AS x(city_id, lon, lat, sign, counted)
     WHERE x.counted
       AND NOT (p.old_counted AND p.new_counted AND p.old_city = p.new_city
                AND p.old_location[0] = p.new_location[0] AND p.old_location[1] = p.new_location[1]);
  END IF;
  IF city_ids IS NULL THEN
    RETURN NULL;
  END IF;
  FOR d IN
    SELECT ch.city_id, floor(ch.lon / lon_size)::int AS cell_x,
           floor(ch.lat / (lon_size * activity_map_lat_factor(c.center_lat)))::int AS cell_y,
           (count(*) FILTER (WHERE ch.sign > 0))::int AS added, (count(*) FILTER (WHERE ch.sign < 0))::int AS removed,
           sum(ch.sign * ch.lon) AS lon_sum, sum(ch.sign * ch.lat) AS lat_sum,
           min(ch.lon) FILTER (WHERE ch.sign > 0) AS add_lon_min, max(ch.lon) FILTER (WHERE ch.sign > 0) AS add_lon_max,
           min(ch.lat) FILTER (WHERE ch.sign > 0) AS add_lat_min, max(ch.lat) FILTER (WHERE ch.sign > 0) AS add_lat_max,
           min(ch.lon) FILTER (WHERE ch.sign < 0) AS rem_lon_min, max(ch.lon) FILTER (WHERE ch.sign < 0) AS rem_lon_max,
           min(ch.lat) FILTER (WHERE ch.sign < 0) AS rem_lat_min, max(ch.lat) FILTER (WHERE ch.sign < 0) AS rem_lat_max
      FROM unnest(city_ids, lons, lats, signs) AS ch(city_id, lon, lat, sign)
      JOIN cities c ON c.id = ch.city_id
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
  LOOP
    SELECT * INTO m FROM activity_map_cells
     WHERE city_id = d.city_id AND cell_x = d.cell_x AND cell_y = d.cell_y FOR UPDATE;
    IF NOT FOUND THEN
      IF d.removed > 0 THEN
        -- Nothing to take from: read the cell from the activities.
        PERFORM activity_map_cell_refresh(d.city_id, d.cell_x, d.cell_y);
        CONTINUE;
      END IF;
      INSERT INTO activity_map_cells (city_id, cell_x, cell_y, activities, lon_sum, lat_sum, lon_min, lon_max, lat_min,
                                      lat_max)
      VALUES (d.city_id, d.cell_x, d.cell_y, d.added, d.lon_sum, d.lat_sum, d.add_lon_min, d.add_lon_max,
              d.add_lat_min, d.add_lat_max)
      ON CONFLICT (city_id, cell_x, cell_y) DO NOTHING;
      IF FOUND THEN
        CONTINUE;
      END IF;
      -- Another writer created the cell meanwhile (and has committed): add to theirs.
      SELECT * INTO m FROM activity_map_cells
       WHERE city_id = d.city_id AND cell_x = d.cell_x AND cell_y = d.cell_y FOR UPDATE;
    END IF;
    IF d.removed > 0 AND (d.removed >= m.activities OR d.rem_lon_min <= m.lon_min OR d.rem_lon_max >= m.lon_max
                          OR d.rem_lat_min <= m.lat_min OR d.rem_lat_max >= m.lat_max) THEN
      PERFORM activity_map_cell_refresh(d.city_id, d.cell_x, d.cell_y);
    ELSE
      UPDATE activity_map_cells
         SET activities = activities + d.added - d.removed, lon_sum = lon_sum + d.lon_sum, lat_sum = lat_sum + d.lat_sum,
             lon_min = least(lon_min, d.add_lon_min), lon_max = greatest(lon_max, d.add_lon_max),
             lat_min = least(lat_min, d.add_lat_min), lat_max = greatest(lat_max, d.add_lat_max)
       WHERE city_id = d.city_id AND cell_x = d.cell_x AND cell_y = d.cell_y;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION activity_map_cells_regrid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM activity_map_cells_rebuild(NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION activity_map_cells_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM activity_map_cells;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activities_map_cells_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_map_cells_apply();
--> statement-breakpoint
CREATE TRIGGER activities_map_cells_update AFTER UPDATE ON activities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_map_cells_apply();
--> statement-breakpoint
CREATE TRIGGER activities_map_cells_delete AFTER DELETE ON activities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_map_cells_apply();
--> statement-breakpoint
CREATE TRIGGER activities_map_cells_truncate AFTER TRUNCATE ON activities
  FOR EACH STATEMENT EXECUTE FUNCTION activity_map_cells_clear();
--> statement-breakpoint
CREATE TRIGGER cities_map_cells_regrid AFTER UPDATE OF center_lat ON cities
  FOR EACH ROW WHEN (OLD.center_lat IS DISTINCT FROM NEW.center_lat) EXECUTE FUNCTION activity_map_cells_regrid();
--> statement-breakpoint
SELECT activity_map_cells_rebuild(id) FROM cities;
--> statement-breakpoint
-- Statistics of the new index's expression, so the planner weighs it from the first search on.
ANALYZE activities;
