"""Reports: PNG plots and Markdown summaries."""
