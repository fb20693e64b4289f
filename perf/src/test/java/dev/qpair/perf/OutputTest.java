package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTest {

    private final List<Result> rows = List.of(
            Fixtures.result("baseline-limit", Benchmark.Kind.LATENCY, 200, 210, 190, 200, 205, 400),
            Fixtures.result("baseline-jctools-spsc", Benchmark.Kind.LATENCY, 200, 300, 290, 300),
            Fixtures.result("baseline-memcpy-4k", Benchmark.Kind.BANDWIDTH, 200, 200, 20, 22, 30));

    @Test
    void tablesShowEveryRowItsRatioAndItsStability() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "title", Options.defaults(), rows,
                Set.of("pinning failed"));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("closed-loop"), text);
        assertTrue(text.contains("note: pinning failed"), text);
        String jctools = text.lines().filter(l -> l.contains("baseline-jctools-spsc")).findFirst().orElseThrow();
        assertTrue(jctools.contains(" 1.16 ") && jctools.contains("200/300") && jctools.contains("NO(1)"), jctools);
        String memcpy = text.lines().filter(l -> l.contains("baseline-memcpy-4k")).findFirst().orElseThrow();
        assertTrue(memcpy.contains(" 0.110 ") && memcpy.contains("yes"), memcpy);
    }

    @Test
    void hgrmFilesAndAPngChartAreWritten(@TempDir Path dir) throws Exception {
        List<Path> files = HistogramFiles.write(dir, rows);
        assertEquals(4, files.size());
        String hgrm = Files.readString(dir.resolve("baseline-limit.hgrm"));
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
        assertTrue(hgrm.contains("#[Max     =      400.000"), hgrm);
        byte[] png = Files.readAllBytes(dir.resolve(HistogramFiles.CHART));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }

    @Test
    void thePercentileCurveRisesToTheMaximum() {
        double[][] xy = HistogramFiles.percentileCurve(rows.get(0).histogram());
        assertEquals(1.0, xy[0][0]);
        assertEquals(400.0, xy[1][xy[1].length - 1], 1.0);
        for (int i = 1; i < xy[0].length; i++) {
            assertTrue(xy[0][i] >= xy[0][i - 1] && xy[1][i] >= xy[1][i - 1]);
        }
    }
}
