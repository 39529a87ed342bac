// The venue picker island (MapLibre GL): written by the organiser form slice.
