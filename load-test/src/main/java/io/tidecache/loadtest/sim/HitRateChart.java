package io.tidecache.loadtest.sim;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;

/**
 * Stateless: draws the simulator's results as one PNG, one chart per trace (two to a row), hit
 * rate (mean of the replays, percent) against the capacity used, one line per policy.
 */
final class HitRateChart {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final int WIDTH = 640;
  private static final int HEIGHT = 400;

  private HitRateChart() {}

  /** Writes the chart of {@code rows} to {@code file}. */
  static void save(List<HitRateTable.Row> rows, List<String> policies, Path file)
      throws IOException {
    Map<String, List<HitRateTable.Row>> byTrace = new LinkedHashMap<>();
    for (HitRateTable.Row r : rows) {
      byTrace.computeIfAbsent(r.trace().name(), k -> new ArrayList<>()).add(r);
    }
    List<XYChart> charts = new ArrayList<>();
    for (Map.Entry<String, List<HitRateTable.Row>> e : byTrace.entrySet()) {
      List<HitRateTable.Row> trace = new ArrayList<>(e.getValue());
      trace.sort((a, b) -> Long.compare(a.capacity(), b.capacity()));
      XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT)
          .title(e.getKey() + " (" + String.format("%,d", trace.get(0).trace().keys().length)
              + " requests)")
          .xAxisTitle("capacity (entries)").yAxisTitle("hit rate %").build();
      c.getStyler().setChartBackgroundColor(Color.WHITE);
      c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
      c.getStyler().setXAxisDecimalPattern("#,##0");
      c.getStyler().setYAxisDecimalPattern("0");
      for (String p : policies) {
        double[] x = new double[trace.size()];
        double[] y = new double[trace.size()];
        for (int i = 0; i < trace.size(); i++) {
          x[i] = trace.get(i).capacity();
          y[i] = HitRateTable.mean(trace.get(i).rates().get(p));
        }
        c.addSeries(p, x, y).setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      }
      charts.add(c);
    }
    int cols = Math.min(2, charts.size());
    int rowsOfCharts = (charts.size() + cols - 1) / cols;
    while (charts.size() < rowsOfCharts * cols) {
      charts.add(new XYChartBuilder().width(WIDTH).height(HEIGHT).title("").build());
    }
    BitmapEncoder.saveBitmap(charts, rowsOfCharts, cols, file.toString(), BitmapFormat.PNG);
  }
}
