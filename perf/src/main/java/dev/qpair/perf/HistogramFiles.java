package dev.qpair.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * Writes {@code DIR/<name>.hgrm} per result (HdrHistogram's percentile distribution, values in ns,
 * readable by HdrHistogram's plotFiles.html) and {@code DIR/latency-by-percentile.png}, an XChart
 * line chart of every result's latency by percentile, drawn headless.
 */
public final class HistogramFiles {

    public static final String CHART = "latency-by-percentile.png";
    private static final int TICKS_PER_HALF = 5;
    private static final double MAX_X = 1e6;

    private HistogramFiles() {
    }

    /** @return the files written */
    public static List<Path> write(Path dir, List<Result> results) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Result r : results) {
            Path file = dir.resolve(r.name() + ".hgrm");
            try (OutputStream os = Files.newOutputStream(file);
                 PrintStream ps = new PrintStream(os, false, StandardCharsets.UTF_8)) {
                r.histogram().outputPercentileDistribution(ps, TICKS_PER_HALF, 1.0);
            }
            written.add(file);
        }
        Path chart = dir.resolve(CHART);
        writeChart(chart, results);
        written.add(chart);
        return written;
    }

    private static void writeChart(Path file, List<Result> results) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1200).height(700)
                .title("Latency by percentile (each row's x limit in the legend)")
                .xAxisTitle("percentile as 1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9, 10000 = p99.99")
                .yAxisTitle("ns per operation").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(0);
        for (Result r : results) {
            double[][] xy = percentileCurve(r.histogram());
            if (xy[0].length > 0) {
                chart.addSeries(String.format("%s (p50 %d ns, x%.2f limit)", r.name(), r.percentileNs(50),
                        r.ratioToLimitP50()), xy[0], xy[1]);
            }
        }
        try (OutputStream os = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** x = 1/(1-p) (capped at 10^6), y = value at p, ns; the points HdrHistogram's .hgrm lists. */
    static double[][] percentileCurve(Histogram histogram) {
        List<double[]> points = new ArrayList<>();
        for (HistogramIterationValue v : histogram.percentiles(TICKS_PER_HALF)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double x = p >= 1.0 ? MAX_X : Math.min(MAX_X, 1.0 / (1.0 - p));
            points.add(new double[] {x, Math.max(1, v.getValueIteratedTo())});
            if (p >= 1.0) {
                break;
            }
        }
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }
}
