"""民意大数据分析, the analysis of demands: category suggestion, similar and repeat cases, hot issues,
rising topics (surge alerts) and reply quality.

The methods live in plain modules that need no Django (`text`, `classifier`, `hotspots`, `surges`,
`replies`), each with plain tests; the Django side (models, services, commands, pages) feeds them the
district's cases and stores what they find.
"""
