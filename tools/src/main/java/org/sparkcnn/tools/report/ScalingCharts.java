package org.sparkcnn.tools.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The sweep's PNG plots, drawn with XChart and written with its BitmapEncoder. */
final class ScalingCharts {
    static final String SPEEDUP = "speedup.png";
    static final String ACCURACY_VS_EXAMPLES = "accuracy-vs-examples.png";
    static final String ROUND_TIME = "round-time.png";
    static final String ACCURACY_VS_ROUNDS = "accuracy-vs-rounds.png";
    static final String PROJECTION = "projection.png";

    private static final int WIDTH = 640;
    private static final int HEIGHT = 440;
    private static final java.awt.Color[] PALETTE = {new java.awt.Color(0x1f77b4), new java.awt.Color(0xff7f0e),
        new java.awt.Color(0x2ca02c), new java.awt.Color(0xd62728), new java.awt.Color(0x9467bd),
        new java.awt.Color(0x8c564b), new java.awt.Color(0xe377c2), new java.awt.Color(0x7f7f7f)};

    private ScalingCharts() { }

    /** Writes all plots into {@code dir}; returns their file names. */
    static List<String> writeAll(Sweep sweep, CommunicationModel model, Path dir) throws IOException {
        save(List.of(speedup(sweep, "Speedup (images/s over fewest workers)", sweep::speedup, true),
                speedup(sweep, "Hardware efficiency (speedup / ideal)", sweep::efficiency, false)),
                dir.resolve(SPEEDUP));
        save(perWorkers(sweep, true), dir.resolve(ACCURACY_VS_EXAMPLES));
        save(List.of(roundTime(sweep)), dir.resolve(ROUND_TIME));
        save(perWorkers(sweep, false), dir.resolve(ACCURACY_VS_ROUNDS));
        save(List.of(projection(sweep, model)), dir.resolve(PROJECTION));
        return List.of(SPEEDUP, ACCURACY_VS_EXAMPLES, ROUND_TIME, ACCURACY_VS_ROUNDS, PROJECTION);
    }

    private static XYChart speedup(Sweep sweep, String title, ToDoubleFunction<RunResult> y, boolean ideal) {
        XYChart chart = xy(title + (sweep.timeShared() ? " — " + sweep.cores() + " cores, more workers time-share"
                : ""), "workers", ideal ? "speedup" : "efficiency");
        for (Map.Entry<String, List<RunResult>> g : sweep.byLabel().entrySet()) {
            chart.addSeries(g.getKey(), xs(g.getValue(), RunResult::workers), xs(g.getValue(), y));
        }
        int[] w = sweep.workerCounts();
        double[] wx = new double[w.length];
        double[] ideals = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            wx[i] = w[i];
            ideals[i] = ideal ? (double) w[i] / w[0] : 1;
        }
        XYSeries s = chart.addSeries("ideal", wx, ideals);
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(java.awt.Color.GRAY);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /** One panel per worker count, one line per τ: test accuracy against examples seen or against rounds. */
    private static List<XYChart> perWorkers(Sweep sweep, boolean examples) {
        List<XYChart> charts = new ArrayList<>();
        for (int w : sweep.workerCounts()) {
            XYChart chart = xy((examples ? "Test accuracy vs examples seen" : "Test accuracy vs rounds") + ", "
                    + w + " worker" + (w == 1 ? "" : "s"), examples ? "examples seen" : "communication rounds",
                    "test accuracy");
            if (!examples) {
                chart.getStyler().setXAxisLogarithmic(true);
            }
            for (Map.Entry<String, List<RunResult>> g : sweep.byLabel().entrySet()) {
                for (RunResult r : g.getValue()) {
                    if (r.workers() == w) {
                        List<RunResult.Point> c = r.curve();
                        chart.addSeries(g.getKey(), c.stream().mapToDouble(p -> examples ? p.examples() : p.rounds())
                                .toArray(), c.stream().mapToDouble(RunResult.Point::accuracy).toArray());
                    }
                }
            }
            charts.add(chart);
        }
        return charts;
    }

    /** Mean seconds per round as stacked bars: worker compute, scheduling+broadcast, aggregation. */
    private static CategoryChart roundTime(Sweep sweep) {
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(WIDTH, 70 * sweep.runs().size()))
                .height(HEIGHT).title("Mean time per round (first round excluded)").xAxisTitle("run").yAxisTitle("seconds").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setAvailableSpaceFill(0.7);
        List<String> names = sweep.runs().stream().map(r -> "N=" + r.workers() + " " + sweep.label(r)).toList();
        chart.addSeries("worker compute", names, boxed(sweep.runs(), RunResult::meanCompute));
        chart.addSeries("scheduling + broadcast", names, boxed(sweep.runs(), RunResult::meanSchedulingBroadcast));
        chart.addSeries("aggregation", names, boxed(sweep.runs(), RunResult::meanAggregate));
        return chart;
    }

    /** PROJECTION: epoch seconds over 1 Gbit/s per τ (lines) next to the measured epochs (markers). */
    private static XYChart projection(Sweep sweep, CommunicationModel model) {
        CommunicationModel.Link link = CommunicationModel.LINKS.get(2);
        XYChart chart = xy("PROJECTION: seconds per epoch over " + link.name() + " (markers: measured here)",
                "workers", "seconds per epoch");
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(11f));
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setDecimalPattern("#,##0.#");
        double[] wx = new double[CommunicationModel.WORKERS.length];
        for (int i = 0; i < wx.length; i++) {
            wx[i] = CommunicationModel.WORKERS[i];
        }
        for (Map.Entry<String, List<RunResult>> g : sweep.byLabel().entrySet()) {
            RunResult r = g.getValue().get(0);
            double[] y = new double[wx.length];
            for (int i = 0; i < wx.length; i++) {
                y[i] = model.epochSeconds(org.sparkcnn.spark.Aggregation.DRIVER, r.trainExamples(), (int) wx[i],
                        r.localSteps(), r.batch(), r.shippedFloats(),
                        org.sparkcnn.spark.exchange.ExchangePrecision.FP32, link);
            }
            double[] yx = new double[wx.length];
            for (int i = 0; i < wx.length; i++) {
                yx[i] = model.epochSeconds(org.sparkcnn.spark.Aggregation.EXECUTORS, r.trainExamples(), (int) wx[i],
                        r.localSteps(), r.batch(), r.shippedFloats(),
                        org.sparkcnn.spark.exchange.ExchangePrecision.FP32, link);
            }
            java.awt.Color color = PALETTE[chart.getSeriesMap().size() / 3 % PALETTE.length];
            XYSeries p = chart.addSeries("projected, driver path " + g.getKey(), wx, y);
            p.setMarker(SeriesMarkers.NONE);
            p.setLineColor(color);
            XYSeries px = chart.addSeries("projected, executor path " + g.getKey(), wx, yx);
            px.setMarker(SeriesMarkers.NONE);
            px.setLineColor(color);
            px.setLineStyle(SeriesLines.DASH_DASH);
            XYSeries m = chart.addSeries("measured " + g.getKey(), xs(g.getValue(), RunResult::workers),
                    xs(g.getValue(), x -> x.trainSeconds() / x.epochs()));
            m.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            m.setMarker(SeriesMarkers.DIAMOND);
            m.setMarkerColor(color);
        }
        return chart;
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        return chart;
    }

    private static double[] xs(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static List<Number> boxed(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return runs.stream().map(r -> (Number) f.applyAsDouble(r)).toList();
    }

    /** One chart, or several side by side (at most three per row). */
    private static <T extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> void save(List<T> charts, Path file)
            throws IOException {
        if (charts.size() == 1) {
            BitmapEncoder.saveBitmap(charts.get(0), file.toString(), BitmapEncoder.BitmapFormat.PNG);
            return;
        }
        int cols = Math.min(3, charts.size());
        int rows = (charts.size() + cols - 1) / cols;
        BitmapEncoder.saveBitmap(charts, rows, cols, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
