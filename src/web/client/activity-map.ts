// The small venue map on an activity page (MapLibre GL): written by the public pages slice.
