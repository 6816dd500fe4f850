"""民情走访: door-to-door visit campaigns — teams, visit secretaries, assigned communities/grids,
and visit records whose problems become cases."""
