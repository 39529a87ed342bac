-- Full-text search for the opportunity catalogue. A language code picks PostgreSQL's stemming configuration; an
-- unknown language falls back to 'simple'. The cast to regconfig reads the catalogue, but the built-in configurations
-- never change, so declaring these IMMUTABLE (as generated columns require) is safe.
CREATE FUNCTION learnscape_text_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE language
    WHEN 'en' THEN 'english' WHEN 'it' THEN 'italian' WHEN 'lt' THEN 'lithuanian' WHEN 'de' THEN 'german'
    WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' WHEN 'nl' THEN 'dutch'
    WHEN 'da' THEN 'danish' WHEN 'sv' THEN 'swedish' WHEN 'fi' THEN 'finnish' WHEN 'el' THEN 'greek'
    WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian' WHEN 'tr' THEN 'turkish'
    WHEN 'ca' THEN 'catalan' WHEN 'eu' THEN 'basque' WHEN 'ga' THEN 'irish' WHEN 'no' THEN 'norwegian'
    WHEN 'nb' THEN 'norwegian' WHEN 'sr' THEN 'serbian'
    ELSE 'simple' END)::regconfig
$$;
--> statement-breakpoint
-- Title words weigh most (A, stemmed and as written, so prefixes of names match too), then tags (B), then the
-- description with its HTML tags removed (C).
CREATE FUNCTION activity_search_vector(title jsonb, description jsonb, tags text[]) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result tsvector := ''::tsvector;
  entry record;
BEGIN
  FOR entry IN SELECT key, value FROM jsonb_each_text(coalesce(title, '{}'::jsonb)) LOOP
    result := result
      || setweight(to_tsvector(learnscape_text_search_config(entry.key), entry.value), 'A')
      || setweight(to_tsvector('simple'::regconfig, entry.value), 'A');
  END LOOP;
  result := result || setweight(to_tsvector('simple'::regconfig, array_to_string(coalesce(tags, '{}'::text[]), ' ')), 'B');
  FOR entry IN SELECT key, value FROM jsonb_each_text(coalesce(description, '{}'::jsonb)) LOOP
    result := result || setweight(
      to_tsvector(learnscape_text_search_config(entry.key), regexp_replace(entry.value, '<[^>]*>', ' ', 'g')), 'C');
  END LOOP;
  RETURN result;
END
$$;
