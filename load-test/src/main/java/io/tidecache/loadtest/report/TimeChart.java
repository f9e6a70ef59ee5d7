package io.tidecache.loadtest.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Not thread-safe: one XChart line chart over time (x in seconds), saved as a PNG. Points whose
 * value is unknown (NaN, or negative for a gauge) are left out; on a logarithmic axis, values at
 * or below zero are too.
 */
public final class TimeChart {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final int WIDTH = 1100;
  private static final int HEIGHT = 420;

  private final XYChart chart;
  private boolean logY;
  private int series;

  private TimeChart(XYChart chart) {
    this.chart = chart;
  }

  /** An empty chart with a title and a y-axis title; the x axis is "time (s)". */
  public static TimeChart of(String title, String yTitle) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("time (s)").yAxisTitle(yTitle).build();
    Styler s = c.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    c.getStyler().setXAxisDecimalPattern("0");
    return new TimeChart(c);
  }

  /** Logarithmic y axis (latencies spanning orders of magnitude). */
  public TimeChart logY() {
    this.logY = true;
    chart.getStyler().setYAxisLogarithmic(true);
    return this;
  }

  /** A fixed y range. */
  public TimeChart yRange(double min, double max) {
    chart.getStyler().setYAxisMin(min);
    chart.getStyler().setYAxisMax(max);
    return this;
  }

  /** The y-axis number pattern, e.g. {@code "#,##0"}. */
  public TimeChart yPattern(String decimalPattern) {
    chart.getStyler().setYAxisDecimalPattern(decimalPattern);
    return this;
  }

  /** Adds a line; returns false (and adds nothing) when no point of it is known. */
  public boolean line(String name, double[] x, double[] y) {
    return add(name, x, y, XYSeriesRenderStyle.Line, 0);
  }

  /** Adds a step line (a value that holds until the next sample: shard counts). */
  public boolean step(String name, double[] x, double[] y) {
    return add(name, x, y, XYSeriesRenderStyle.Step, 0);
  }

  /** Adds a step line on a second y axis, on the right, titled {@code yTitle}. */
  public boolean stepRight(String name, double[] x, double[] y, String yTitle) {
    boolean added = add(name, x, y, XYSeriesRenderStyle.Step, 1);
    if (added) {
      chart.setYAxisGroupTitle(1, yTitle);
      chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    }
    return added;
  }

  /** Adds a vertical marker line at {@code x} spanning {@code [y0, y1]} (phase boundaries). */
  public void marker(String name, double x, double y0, double y1) {
    add(name, new double[] {x, x}, new double[] {y0, y1}, XYSeriesRenderStyle.Line, 0);
  }

  /** True when at least one series was added. */
  public boolean hasSeries() {
    return series > 0;
  }

  public XYChart chart() {
    return chart;
  }

  /** Saves this chart as {@code file} (PNG) and returns its path. */
  public Path save(Path file) {
    if (series == 0) {
      line("(no data)", new double[] {0}, new double[] {0});
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Saves several charts stacked in one column of one PNG and returns its path. */
  public static Path saveStack(List<TimeChart> charts, Path file) {
    List<XYChart> list = new ArrayList<>();
    for (TimeChart c : charts) {
      if (c.series == 0) {
        c.line("(no data)", new double[] {0}, new double[] {0});
      }
      list.add(c.chart);
    }
    try {
      BitmapEncoder.saveBitmap(list, list.size(), 1, file.toString(), BitmapFormat.PNG);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private boolean add(String name, double[] x, double[] y, XYSeriesRenderStyle style, int group) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < x.length && i < y.length; i++) {
      double v = y[i];
      if (Double.isNaN(v) || Double.isInfinite(v) || (logY ? v <= 0 : v < 0)) {
        continue;
      }
      xs.add(x[i]);
      ys.add(v);
    }
    if (xs.isEmpty()) {
      return false;
    }
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setXYSeriesRenderStyle(style);
    if (group != 0) {
      s.setYAxisGroup(group);
    }
    series++;
    return true;
  }
}
