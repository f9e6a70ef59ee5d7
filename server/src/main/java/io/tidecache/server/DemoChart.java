package io.tidecache.server;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Not thread-safe (the demo's main thread): the demo's PNG: three charts stacked, each with a
 * line per cache over time: shards, leased memory, hit rate per second; the spike's start and
 * end are marked.
 */
final class DemoChart {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 330;

  private DemoChart() {}

  static Path write(Path file, DemoRecorder recorder, List<String> names, double spikeFrom,
      double spikeTo, double seconds) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart shards = chart("shards (spike from " + DemoCommand.secs(spikeFrom) + " s to "
        + DemoCommand.secs(spikeTo) + " s)", "shards");
    XYChart leased = chart("leased memory", "MiB");
    XYChart hit = chart("hit rate per second", "% of gets");
    hit.getStyler().setYAxisMin(0.0);
    hit.getStyler().setYAxisMax(100.0);
    double maxShards = 1;
    for (int c = 0; c < names.size(); c++) {
      List<DemoRecorder.Sample> s = recorder.samples(c);
      List<Double> t = new ArrayList<>();
      List<Double> n = new ArrayList<>();
      List<Double> mib = new ArrayList<>();
      for (DemoRecorder.Sample x : s) {
        t.add(x.t());
        n.add((double) x.shards());
        mib.add(x.leasedBytes() / 1048576.0);
        maxShards = Math.max(maxShards, x.shards());
      }
      step(shards, names.get(c), t, n);
      step(leased, names.get(c), t, mib);
      List<Double> sec = new ArrayList<>();
      List<Double> rate = new ArrayList<>();
      for (int i = 1; i <= (int) Math.floor(seconds); i++) {
        double r = recorder.hitRate(c, i - 1, i);
        if (!Double.isNaN(r)) {
          sec.add((double) i);
          rate.add(100 * r);
        }
      }
      if (!sec.isEmpty()) {
        hit.addSeries(names.get(c), sec, rate).setMarker(SeriesMarkers.NONE);
      }
    }
    marker(shards, spikeFrom, spikeTo, maxShards);
    try {
      BitmapEncoder.saveBitmap(List.of(shards, leased, hit), 3, 1, file.toString(),
          BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new IOException("cannot write the chart " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  private static XYChart chart(String title, String y) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("time (s)").yAxisTitle(y).build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    c.getStyler().setXAxisDecimalPattern("0");
    return c;
  }

  private static void step(XYChart chart, String name, List<Double> x, List<Double> y) {
    if (x.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
  }

  private static void marker(XYChart chart, double from, double to, double height) {
    for (double[] at : new double[][] {{from}, {to}}) {
      XYSeries s = chart.addSeries(at[0] == from ? "spike start" : "spike end",
          new double[] {at[0], at[0]}, new double[] {0, height});
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(Color.GRAY);
    }
  }
}
