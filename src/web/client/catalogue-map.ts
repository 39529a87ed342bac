// The catalogue map island (MapLibre GL): written by the search and map slice.
