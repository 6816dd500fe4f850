"""民生实事台账: the livelihood-projects ledger — batches, projects, sub-items, monthly dispatch
(月调度) and summary (月汇总), the wall chart (挂图作战)."""
