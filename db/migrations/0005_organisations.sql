ALTER TABLE "cities" ADD COLUMN "logo_url" text;--> statement-breakpoint
ALTER TABLE "cities" ADD COLUMN "primary_colour" text;--> statement-breakpoint
ALTER TABLE "cities" ADD COLUMN "contact_email" text;--> statement-breakpoint
ALTER TABLE "cities" ADD CONSTRAINT "cities_primary_colour_check" CHECK ("cities"."primary_colour" is null or "cities"."primary_colour" ~ '^#[0-9a-fA-F]{6}$');