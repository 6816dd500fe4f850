"""问题台账: a unit's own register of problems it found and the improvement measures taken for each."""
