-- Tell every app server when a person's sessions, roles, memberships or account change, so their cached view of
-- who is signed in (src/server/modules/accounts/actor-cache.ts) is dropped at once.
CREATE OR REPLACE FUNCTION learnscape_notify_actor_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('learnscape_actor', OLD.user_id::text);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('learnscape_actor', NEW.user_id::text);
  IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
    PERFORM pg_notify('learnscape_actor', OLD.user_id::text);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION learnscape_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('learnscape_actor', OLD.id::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sessions_actor_change AFTER DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION learnscape_notify_actor_change();
--> statement-breakpoint
CREATE TRIGGER role_assignments_actor_change AFTER INSERT OR UPDATE OR DELETE ON role_assignments
  FOR EACH ROW EXECUTE FUNCTION learnscape_notify_actor_change();
--> statement-breakpoint
CREATE TRIGGER memberships_actor_change AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION learnscape_notify_actor_change();
--> statement-breakpoint
CREATE TRIGGER users_actor_change AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION learnscape_notify_user_change();
