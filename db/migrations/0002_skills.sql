CREATE TABLE "city_skill_frameworks" (
	"city_id" uuid NOT NULL,
	"framework_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "city_skill_frameworks_pkey" PRIMARY KEY("city_id","framework_id")
);
--> statement-breakpoint
CREATE TABLE "occupation_skills" (
	"occupation_id" uuid NOT NULL,
	"skill_id" uuid NOT NULL,
	"relation_type" text NOT NULL,
	CONSTRAINT "occupation_skills_pkey" PRIMARY KEY("occupation_id","skill_id"),
	CONSTRAINT "occupation_skills_relation_check" CHECK ("occupation_skills"."relation_type" in ('essential', 'optional'))
);
--> statement-breakpoint
CREATE TABLE "occupations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"uri" text NOT NULL,
	"code" text DEFAULT '' NOT NULL,
	"isco_group" text DEFAULT '' NOT NULL,
	"label" jsonb NOT NULL,
	"alt_labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"description" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "skill_broader" (
	"skill_id" uuid NOT NULL,
	"broader_id" uuid NOT NULL,
	CONSTRAINT "skill_broader_pkey" PRIMARY KEY("skill_id","broader_id")
);
--> statement-breakpoint
CREATE TABLE "skill_crosswalks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"source_skill_id" uuid NOT NULL,
	"target_skill_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "skill_crosswalks_relation_check" CHECK ("skill_crosswalks"."relation" in ('exact', 'broader', 'narrower', 'related')),
	CONSTRAINT "skill_crosswalks_distinct_check" CHECK ("skill_crosswalks"."source_skill_id" <> "skill_crosswalks"."target_skill_id")
);
--> statement-breakpoint
CREATE TABLE "skill_frameworks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid,
	"slug" text NOT NULL,
	"kind" text NOT NULL,
	"title" jsonb NOT NULL,
	"short_title" text NOT NULL,
	"version" text DEFAULT '' NOT NULL,
	"publisher" text DEFAULT '' NOT NULL,
	"licence" text DEFAULT '' NOT NULL,
	"url" text,
	"citation" text DEFAULT '' NOT NULL,
	"attribution" text DEFAULT '' NOT NULL,
	"levels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source_checksum" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "skill_frameworks_city_slug_key" UNIQUE NULLS NOT DISTINCT("city_id","slug"),
	CONSTRAINT "skill_frameworks_kind_check" CHECK ("skill_frameworks"."kind" in ('bundled', 'esco', 'local')),
	CONSTRAINT "skill_frameworks_scope_check" CHECK (("skill_frameworks"."kind" = 'local' and "skill_frameworks"."city_id" is not null) or ("skill_frameworks"."kind" <> 'local' and "skill_frameworks"."city_id" is null)),
	CONSTRAINT "skill_frameworks_slug_format_check" CHECK ("skill_frameworks"."slug" ~ '^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$')
);
--> statement-breakpoint
CREATE TABLE "skill_labels" (
	"city_id" uuid,
	"skill_id" uuid NOT NULL,
	"framework_id" uuid NOT NULL,
	"language" text NOT NULL,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, label)) STORED NOT NULL,
	CONSTRAINT "skill_labels_kind_check" CHECK ("skill_labels"."kind" in ('preferred', 'alternative', 'hidden'))
);
--> statement-breakpoint
CREATE TABLE "skill_relations" (
	"skill_id" uuid NOT NULL,
	"related_skill_id" uuid NOT NULL,
	"relation_type" text NOT NULL,
	CONSTRAINT "skill_relations_pkey" PRIMARY KEY("skill_id","related_skill_id")
);
--> statement-breakpoint
CREATE TABLE "skills" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid,
	"framework_id" uuid NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"parent_id" uuid,
	"label" jsonb NOT NULL,
	"description" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "skills_city_framework_code_key" UNIQUE NULLS NOT DISTINCT("city_id","framework_id","code"),
	CONSTRAINT "skills_kind_check" CHECK ("skills"."kind" in ('area', 'competence', 'skill_group', 'skill', 'knowledge', 'local')),
	CONSTRAINT "skills_not_own_parent_check" CHECK ("skills"."parent_id" is null or "skills"."parent_id" <> "skills"."id"),
	CONSTRAINT "skills_local_scope_check" CHECK (("skills"."kind" = 'local' and "skills"."city_id" is not null) or ("skills"."kind" <> 'local' and "skills"."city_id" is null))
);
--> statement-breakpoint
ALTER TABLE "city_skill_frameworks" ADD CONSTRAINT "city_skill_frameworks_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "city_skill_frameworks" ADD CONSTRAINT "city_skill_frameworks_framework_id_skill_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."skill_frameworks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occupation_skills" ADD CONSTRAINT "occupation_skills_occupation_id_occupations_id_fk" FOREIGN KEY ("occupation_id") REFERENCES "public"."occupations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occupation_skills" ADD CONSTRAINT "occupation_skills_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_broader" ADD CONSTRAINT "skill_broader_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_broader" ADD CONSTRAINT "skill_broader_broader_id_skills_id_fk" FOREIGN KEY ("broader_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_crosswalks" ADD CONSTRAINT "skill_crosswalks_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_crosswalks" ADD CONSTRAINT "skill_crosswalks_source_skill_id_skills_id_fk" FOREIGN KEY ("source_skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_crosswalks" ADD CONSTRAINT "skill_crosswalks_target_skill_id_skills_id_fk" FOREIGN KEY ("target_skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_crosswalks" ADD CONSTRAINT "skill_crosswalks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_frameworks" ADD CONSTRAINT "skill_frameworks_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_labels" ADD CONSTRAINT "skill_labels_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_labels" ADD CONSTRAINT "skill_labels_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_labels" ADD CONSTRAINT "skill_labels_framework_id_skill_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."skill_frameworks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_relations" ADD CONSTRAINT "skill_relations_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skill_relations" ADD CONSTRAINT "skill_relations_related_skill_id_skills_id_fk" FOREIGN KEY ("related_skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skills" ADD CONSTRAINT "skills_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skills" ADD CONSTRAINT "skills_framework_id_skill_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."skill_frameworks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skills" ADD CONSTRAINT "skills_parent_id_skills_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."skills"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "city_skill_frameworks_framework_idx" ON "city_skill_frameworks" USING btree ("framework_id");--> statement-breakpoint
CREATE INDEX "occupation_skills_skill_idx" ON "occupation_skills" USING btree ("skill_id");--> statement-breakpoint
CREATE UNIQUE INDEX "occupations_uri_key" ON "occupations" USING btree ("uri");--> statement-breakpoint
CREATE INDEX "skill_broader_broader_idx" ON "skill_broader" USING btree ("broader_id");--> statement-breakpoint
CREATE UNIQUE INDEX "skill_crosswalks_pair_key" ON "skill_crosswalks" USING btree ("city_id",least("source_skill_id", "target_skill_id"),greatest("source_skill_id", "target_skill_id"));--> statement-breakpoint
CREATE INDEX "skill_crosswalks_city_source_idx" ON "skill_crosswalks" USING btree ("city_id","source_skill_id");--> statement-breakpoint
CREATE INDEX "skill_crosswalks_city_target_idx" ON "skill_crosswalks" USING btree ("city_id","target_skill_id");--> statement-breakpoint
CREATE INDEX "skill_labels_city_skill_idx" ON "skill_labels" USING btree ("city_id","skill_id");--> statement-breakpoint
CREATE INDEX "skill_labels_search_idx" ON "skill_labels" USING gin ("search");--> statement-breakpoint
CREATE INDEX "skill_labels_prefix_idx" ON "skill_labels" USING btree ("language",lower("label") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "skill_relations_related_idx" ON "skill_relations" USING btree ("related_skill_id");--> statement-breakpoint
CREATE INDEX "skills_city_framework_parent_idx" ON "skills" USING btree ("city_id","framework_id","parent_id","position");--> statement-breakpoint
CREATE INDEX "skills_parent_idx" ON "skills" USING btree ("parent_id");