CREATE TABLE "activity_badges" (
	"city_id" uuid NOT NULL,
	"activity_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"award_on_attendance" boolean DEFAULT false NOT NULL,
	CONSTRAINT "activity_badges_pkey" PRIMARY KEY("activity_id","badge_class_id")
);
--> statement-breakpoint
CREATE TABLE "badge_claim_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"code" text NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"max_uses" integer NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "badge_claim_codes_uses_check" CHECK ("badge_claim_codes"."max_uses" >= 1 and "badge_claim_codes"."uses" between 0 and "badge_claim_codes"."max_uses")
);
--> statement-breakpoint
CREATE TABLE "badge_class_prerequisites" (
	"city_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"required_badge_class_id" uuid NOT NULL,
	CONSTRAINT "badge_class_prerequisites_pkey" PRIMARY KEY("badge_class_id","required_badge_class_id"),
	CONSTRAINT "badge_class_prerequisites_self_check" CHECK ("badge_class_prerequisites"."badge_class_id" <> "badge_class_prerequisites"."required_badge_class_id")
);
--> statement-breakpoint
CREATE TABLE "badge_class_skills" (
	"city_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"skill_id" uuid NOT NULL,
	"level" integer,
	CONSTRAINT "badge_class_skills_pkey" PRIMARY KEY("badge_class_id","skill_id"),
	CONSTRAINT "badge_class_skills_level_check" CHECK ("badge_class_skills"."level" is null or "badge_class_skills"."level" between 1 and 8)
);
--> statement-breakpoint
CREATE TABLE "badge_class_versions" (
	"city_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"achievement" jsonb NOT NULL,
	"image_content_type" text,
	"image_bytes" "bytea",
	"image_svg" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "badge_class_versions_pkey" PRIMARY KEY("badge_class_id","version")
);
--> statement-breakpoint
CREATE TABLE "badge_classes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"kind" text NOT NULL,
	"name" jsonb NOT NULL,
	"description" jsonb NOT NULL,
	"criteria" jsonb NOT NULL,
	"requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"image_source" text DEFAULT 'generated' NOT NULL,
	"design" jsonb,
	"image_content_type" text NOT NULL,
	"image_bytes" "bytea" NOT NULL,
	"image_svg" text,
	"image_alt" jsonb NOT NULL,
	"tags" text[] DEFAULT '{}' NOT NULL,
	"validity_months" integer,
	"peer_confirmations_required" integer,
	"evidence_claims_open" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"row_version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"published_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "badge_classes_status_check" CHECK ("badge_classes"."status" in ('draft', 'published', 'archived')),
	CONSTRAINT "badge_classes_kind_check" CHECK ("badge_classes"."kind" in ('participation', 'skill', 'competence', 'meta')),
	CONSTRAINT "badge_classes_image_source_check" CHECK ("badge_classes"."image_source" in ('upload', 'generated')),
	CONSTRAINT "badge_classes_validity_check" CHECK ("badge_classes"."validity_months" is null or "badge_classes"."validity_months" between 1 and 600),
	CONSTRAINT "badge_classes_peer_check" CHECK ("badge_classes"."peer_confirmations_required" is null or "badge_classes"."peer_confirmations_required" between 1 and 20)
);
--> statement-breakpoint
CREATE TABLE "badge_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"badge_version" integer NOT NULL,
	"recipient_user_id" uuid,
	"recipient_email" text NOT NULL,
	"recipient_name" text DEFAULT '' NOT NULL,
	"identity_salt" text NOT NULL,
	"document" jsonb NOT NULL,
	"signing_key_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"status_changed_at" timestamp with time zone,
	"revocation_list_id" uuid NOT NULL,
	"revocation_index" integer NOT NULL,
	"suspension_list_id" uuid NOT NULL,
	"suspension_index" integer NOT NULL,
	"claim_route" text NOT NULL,
	"idempotency_key" text,
	"claim_token_hash" text,
	"claimed_at" timestamp with time zone,
	"supersedes_id" uuid,
	"issued_by" uuid,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"valid_until" timestamp with time zone,
	CONSTRAINT "badge_credentials_status_check" CHECK ("badge_credentials"."status" in ('active', 'suspended', 'revoked')),
	CONSTRAINT "badge_credentials_claim_route_check" CHECK ("badge_credentials"."claim_route" in ('award', 'claim_code', 'evidence', 'peer', 'attendance', 'requirements', 'bulk', 'cli'))
);
--> statement-breakpoint
CREATE TABLE "badge_endorsements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"endorser_organisation_id" uuid NOT NULL,
	"target_badge_class_id" uuid,
	"target_organisation_id" uuid,
	"comment" jsonb NOT NULL,
	"document" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "badge_endorsements_target_check" CHECK (("badge_endorsements"."target_badge_class_id" is null) <> ("badge_endorsements"."target_organisation_id" is null))
);
--> statement-breakpoint
CREATE TABLE "badge_issue_batch_rows" (
	"city_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"input" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"credential_id" uuid,
	"error" text,
	CONSTRAINT "badge_issue_batch_rows_pkey" PRIMARY KEY("batch_id","line"),
	CONSTRAINT "badge_issue_batch_rows_status_check" CHECK ("badge_issue_batch_rows"."status" in ('pending', 'issued', 'skipped', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "badge_issue_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"created_by" uuid,
	"file_name" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"total_rows" integer NOT NULL,
	"issued_rows" integer DEFAULT 0 NOT NULL,
	"skipped_rows" integer DEFAULT 0 NOT NULL,
	"failed_rows" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "badge_issue_batches_status_check" CHECK ("badge_issue_batches"."status" in ('queued', 'running', 'completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "evidence_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"requirement" integer NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"badge_class_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"review" text DEFAULT 'organiser' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"feedback" text,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"credential_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_submissions_review_check" CHECK ("evidence_submissions"."review" in ('organiser', 'peer')),
	CONSTRAINT "evidence_submissions_status_check" CHECK ("evidence_submissions"."status" in ('pending', 'more_info', 'approved', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "issuer_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"public_key_multibase" text NOT NULL,
	"secret_key_envelope" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"imported" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "issuer_keys_status_check" CHECK ("issuer_keys"."status" in ('active', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "peer_confirmations" (
	"city_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"confirmer_user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peer_confirmations_pkey" PRIMARY KEY("submission_id","confirmer_user_id")
);
--> statement-breakpoint
CREATE TABLE "status_lists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"city_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"sequence" integer NOT NULL,
	"length" integer NOT NULL,
	"allocated" integer DEFAULT 0 NOT NULL,
	"encoded_list" text NOT NULL,
	"signed_credential" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "status_lists_purpose_check" CHECK ("status_lists"."purpose" in ('revocation', 'suspension')),
	CONSTRAINT "status_lists_allocated_check" CHECK ("status_lists"."allocated" between 0 and "status_lists"."length")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "did" text;--> statement-breakpoint
ALTER TABLE "activity_badges" ADD CONSTRAINT "activity_badges_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_badges" ADD CONSTRAINT "activity_badges_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_badges" ADD CONSTRAINT "activity_badges_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_claim_codes" ADD CONSTRAINT "badge_claim_codes_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_claim_codes" ADD CONSTRAINT "badge_claim_codes_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_claim_codes" ADD CONSTRAINT "badge_claim_codes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_prerequisites" ADD CONSTRAINT "badge_class_prerequisites_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_prerequisites" ADD CONSTRAINT "badge_class_prerequisites_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_prerequisites" ADD CONSTRAINT "badge_class_prerequisites_required_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("required_badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_skills" ADD CONSTRAINT "badge_class_skills_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_skills" ADD CONSTRAINT "badge_class_skills_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_skills" ADD CONSTRAINT "badge_class_skills_skill_id_skills_id_fk" FOREIGN KEY ("skill_id") REFERENCES "public"."skills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_versions" ADD CONSTRAINT "badge_class_versions_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_class_versions" ADD CONSTRAINT "badge_class_versions_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_classes" ADD CONSTRAINT "badge_classes_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_classes" ADD CONSTRAINT "badge_classes_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_classes" ADD CONSTRAINT "badge_classes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_recipient_user_id_users_id_fk" FOREIGN KEY ("recipient_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_signing_key_id_issuer_keys_id_fk" FOREIGN KEY ("signing_key_id") REFERENCES "public"."issuer_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_revocation_list_id_status_lists_id_fk" FOREIGN KEY ("revocation_list_id") REFERENCES "public"."status_lists"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_suspension_list_id_status_lists_id_fk" FOREIGN KEY ("suspension_list_id") REFERENCES "public"."status_lists"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_supersedes_id_badge_credentials_id_fk" FOREIGN KEY ("supersedes_id") REFERENCES "public"."badge_credentials"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_credentials" ADD CONSTRAINT "badge_credentials_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_endorsements" ADD CONSTRAINT "badge_endorsements_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_endorsements" ADD CONSTRAINT "badge_endorsements_endorser_organisation_id_organisations_id_fk" FOREIGN KEY ("endorser_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_endorsements" ADD CONSTRAINT "badge_endorsements_target_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("target_badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_endorsements" ADD CONSTRAINT "badge_endorsements_target_organisation_id_organisations_id_fk" FOREIGN KEY ("target_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_endorsements" ADD CONSTRAINT "badge_endorsements_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batch_rows" ADD CONSTRAINT "badge_issue_batch_rows_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batch_rows" ADD CONSTRAINT "badge_issue_batch_rows_batch_id_badge_issue_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."badge_issue_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batch_rows" ADD CONSTRAINT "badge_issue_batch_rows_credential_id_badge_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."badge_credentials"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batches" ADD CONSTRAINT "badge_issue_batches_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batches" ADD CONSTRAINT "badge_issue_batches_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "badge_issue_batches" ADD CONSTRAINT "badge_issue_batches_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_submission_id_evidence_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."evidence_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_badge_class_id_badge_classes_id_fk" FOREIGN KEY ("badge_class_id") REFERENCES "public"."badge_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_credential_id_badge_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."badge_credentials"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issuer_keys" ADD CONSTRAINT "issuer_keys_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issuer_keys" ADD CONSTRAINT "issuer_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_confirmations" ADD CONSTRAINT "peer_confirmations_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_confirmations" ADD CONSTRAINT "peer_confirmations_submission_id_evidence_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."evidence_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_confirmations" ADD CONSTRAINT "peer_confirmations_confirmer_user_id_users_id_fk" FOREIGN KEY ("confirmer_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_lists" ADD CONSTRAINT "status_lists_city_id_cities_id_fk" FOREIGN KEY ("city_id") REFERENCES "public"."cities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_lists" ADD CONSTRAINT "status_lists_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_badges_badge_idx" ON "activity_badges" USING btree ("city_id","badge_class_id");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_claim_codes_code_key" ON "badge_claim_codes" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "badge_claim_codes_badge_idx" ON "badge_claim_codes" USING btree ("city_id","badge_class_id");--> statement-breakpoint
CREATE INDEX "badge_class_prerequisites_required_idx" ON "badge_class_prerequisites" USING btree ("city_id","required_badge_class_id");--> statement-breakpoint
CREATE INDEX "badge_class_skills_skill_idx" ON "badge_class_skills" USING btree ("city_id","skill_id");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_classes_city_slug_key" ON "badge_classes" USING btree ("city_id","slug");--> statement-breakpoint
CREATE INDEX "badge_classes_organisation_idx" ON "badge_classes" USING btree ("city_id","organisation_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_credentials_idempotency_key" ON "badge_credentials" USING btree ("city_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_credentials_claim_token_key" ON "badge_credentials" USING btree ("claim_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_credentials_revocation_slot_key" ON "badge_credentials" USING btree ("revocation_list_id","revocation_index");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_credentials_suspension_slot_key" ON "badge_credentials" USING btree ("suspension_list_id","suspension_index");--> statement-breakpoint
CREATE INDEX "badge_credentials_badge_idx" ON "badge_credentials" USING btree ("city_id","badge_class_id","issued_at");--> statement-breakpoint
CREATE INDEX "badge_credentials_organisation_idx" ON "badge_credentials" USING btree ("city_id","organisation_id","issued_at");--> statement-breakpoint
CREATE INDEX "badge_credentials_recipient_idx" ON "badge_credentials" USING btree ("recipient_user_id");--> statement-breakpoint
CREATE INDEX "badge_credentials_email_idx" ON "badge_credentials" USING btree ("city_id",lower("recipient_email"));--> statement-breakpoint
CREATE INDEX "badge_credentials_supersedes_idx" ON "badge_credentials" USING btree ("supersedes_id");--> statement-breakpoint
CREATE INDEX "badge_endorsements_badge_idx" ON "badge_endorsements" USING btree ("city_id","target_badge_class_id");--> statement-breakpoint
CREATE INDEX "badge_endorsements_organisation_idx" ON "badge_endorsements" USING btree ("city_id","target_organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "badge_endorsements_standing_key" ON "badge_endorsements" USING btree ("city_id","endorser_organisation_id",coalesce("target_badge_class_id", "target_organisation_id")) WHERE "badge_endorsements"."withdrawn_at" is null;--> statement-breakpoint
CREATE INDEX "badge_issue_batch_rows_pending_idx" ON "badge_issue_batch_rows" USING btree ("batch_id","status");--> statement-breakpoint
CREATE INDEX "badge_issue_batches_organisation_idx" ON "badge_issue_batches" USING btree ("city_id","organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "evidence_files_submission_idx" ON "evidence_files" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "evidence_submissions_queue_idx" ON "evidence_submissions" USING btree ("city_id","badge_class_id","status","created_at");--> statement-breakpoint
CREATE INDEX "evidence_submissions_user_idx" ON "evidence_submissions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_submissions_open_key" ON "evidence_submissions" USING btree ("badge_class_id","user_id") WHERE "evidence_submissions"."status" in ('pending', 'more_info');--> statement-breakpoint
CREATE UNIQUE INDEX "issuer_keys_public_key_key" ON "issuer_keys" USING btree ("public_key_multibase");--> statement-breakpoint
CREATE UNIQUE INDEX "issuer_keys_active_key" ON "issuer_keys" USING btree ("organisation_id") WHERE "issuer_keys"."status" = 'active';--> statement-breakpoint
CREATE INDEX "issuer_keys_organisation_idx" ON "issuer_keys" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "status_lists_sequence_key" ON "status_lists" USING btree ("city_id","organisation_id","purpose","sequence");