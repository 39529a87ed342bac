-- Indexes for the map and bounding-box searches that carry the columns those queries filter on, so PostgreSQL answers
-- them from the index alone (measured in bench/catalogue.ts at 1M activities: whole-city clusters ~650 → ~270 ms cold,
-- one neighbourhood's clusters ~160 → ~43 ms). Drizzle cannot declare INCLUDE columns, hence this hand-written file.
CREATE INDEX "activities_published_map_idx" ON "activities" ("city_id") INCLUDE ("location", "last_end_at")
  WHERE "status" = 'published';
--> statement-breakpoint
CREATE INDEX "activities_location_covering_idx" ON "activities" USING gist ("location")
  INCLUDE ("city_id", "status", "last_end_at");
