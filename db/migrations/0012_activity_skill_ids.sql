-- The catalogue search at a million activities (issue #6): each activity's skill ids on its own row, so the search
-- filters and counts skills from the rows it already reads instead of probing activity_skills once per matching
-- row (the largest part of a slow search's time, bench/README.md). activity_skills stays the record (levels, the
-- skills pages); the array follows it through statement triggers in the writing transaction, sorted so it compares.
ALTER TABLE "activities" ADD COLUMN "skill_ids" uuid[] DEFAULT '{}' NOT NULL;
--> statement-breakpoint
-- The activities a statement on activity_skills touched, each given its skills again (only where they changed, so an
-- activity's row is not rewritten for nothing).
CREATE FUNCTION activity_skill_ids_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT activity_id) INTO touched FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT activity_id) INTO touched FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT activity_id) INTO touched
      FROM (SELECT activity_id FROM old_rows UNION ALL SELECT activity_id FROM new_rows) changed;
  END IF;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE activities a
     SET skill_ids = now_kept.ids
    FROM (SELECT t.id, coalesce((SELECT array_agg(x.skill_id ORDER BY x.skill_id) FROM activity_skills x
                                  WHERE x.activity_id = t.id), '{}') AS ids
            FROM unnest(touched) AS t(id)) now_kept
   WHERE a.id = now_kept.id AND a.skill_ids IS DISTINCT FROM now_kept.ids;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_skills_ids_insert AFTER INSERT ON activity_skills
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_skill_ids_apply();
--> statement-breakpoint
CREATE TRIGGER activity_skills_ids_update AFTER UPDATE ON activity_skills
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_skill_ids_apply();
--> statement-breakpoint
CREATE TRIGGER activity_skills_ids_delete AFTER DELETE ON activity_skills
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_skill_ids_apply();
--> statement-breakpoint
-- TRUNCATE has no transition table; it is only ever a whole-table reset (tests), after which no activity has skills.
CREATE FUNCTION activity_skill_ids_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE activities SET skill_ids = '{}' WHERE skill_ids <> '{}';
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_skills_ids_truncate AFTER TRUNCATE ON activity_skills
  FOR EACH STATEMENT EXECUTE FUNCTION activity_skill_ids_clear();
--> statement-breakpoint
UPDATE activities a
   SET skill_ids = kept.ids
  FROM (SELECT activity_id, array_agg(skill_id ORDER BY skill_id) AS ids FROM activity_skills GROUP BY activity_id) kept
 WHERE a.id = kept.activity_id;
--> statement-breakpoint
-- A skill filter without words reads the matching activities through this index.
CREATE INDEX "activities_skill_ids_idx" ON "activities" USING gin ("skill_ids");
