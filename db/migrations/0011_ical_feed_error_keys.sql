-- A calendar feed's last sync failure with its stable key and params (imports:problems.<key>), so the imports page
-- says it in the reader's language; last_error keeps the English text. last_error_events: the events the sync could
-- not import (at most five), each with its line, UID and keyed problems. Rows synced before have NULL keys.
ALTER TABLE "ical_feeds" ADD COLUMN "last_error_key" text;--> statement-breakpoint
ALTER TABLE "ical_feeds" ADD COLUMN "last_error_params" jsonb;--> statement-breakpoint
ALTER TABLE "ical_feeds" ADD COLUMN "last_error_events" jsonb;