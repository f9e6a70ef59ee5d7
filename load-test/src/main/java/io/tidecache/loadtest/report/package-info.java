/**
 * The reports of a load run: a folder per run ({@link io.tidecache.loadtest.report.ReportFolder}),
 * the raw per-second CSV ({@link io.tidecache.loadtest.report.SecondsCsv}), a Markdown summary
 * ({@link io.tidecache.loadtest.report.MarkdownTable},
 * {@link io.tidecache.loadtest.report.RunSummary}) and PNG charts over time drawn with XChart
 * ({@link io.tidecache.loadtest.report.TimeChart}, {@link io.tidecache.loadtest.report.RunCharts}).
 * Nothing here measures: it writes what {@code io.tidecache.loadtest.gen} measured.
 */
package io.tidecache.loadtest.report;
