"""Reports (报表): the monthly report (月报) as Excel and PDF, from the measures and the analysis."""
