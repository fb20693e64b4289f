package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvmePerfTest {

    private static final NvmePerfConfig SMALL = NvmePerfConfig.defaults().with("--ns-mib", "1");

    /** Runs {@code config} through the harness and checks what it counted. */
    private static Params run(NvmePerfConfig config, long warmup, long samples) {
        Params params = new Params();
        try (NvmePerf perf = new NvmePerf(config, warmup)) {
            perf.open(-1);
            Measurement m = new Runner(null).measure(perf, warmup, samples, 0);
            assertEquals(0, perf.errors(), config.name());
            assertEquals(samples * perf.opsPerSample(), m.operations());
            // Completions in hand when the measured operations begin, or left at the end, are off by at most a queue.
            long recorded = perf.ioLatency().getTotalCount();
            assertTrue(Math.abs(recorded - m.operations()) <= config.queueDepth(), recorded + " latencies for "
                    + m.operations() + " measured I/Os");
            perf.describe(params);
        }
        return params;
    }

    @Test
    void everyPatternCompletesWithoutErrorsInBothDeviceModesAndBothNamespaceKinds() {
        for (String device : List.of("thread", "inline")) {
            for (String rw : List.of("randread", "randwrite", "read", "write", "rw", "randrw")) {
                Params p = run(SMALL.with("--device", device).with("--rw", rw).with("--qd", "4"), 100, 200);
                assertEquals(device, p.get("device_mode"));
                long reads = (Long) p.get("reads");
                long writes = (Long) p.get("writes");
                assertTrue(reads + writes >= 300 * 16, rw + ": " + reads + " + " + writes);
                assertTrue(rw.contains("write") ? reads == 0 : reads > 0, rw + " reads " + reads);
                assertTrue(rw.contains("read") ? writes == 0 : writes > 0, rw + " writes " + writes);
            }
        }
        Params file = run(SMALL.with("--ns", "file").with("--rw", "randwrite"), 100, 500);
        assertEquals("file", file.get("namespace"));
        Params small = run(SMALL.with("--io-size", "512"), 100, 500);
        assertEquals(512L, small.get("lba_size"));
    }

    @Test
    void shadowDoorbellsCutTheMmioDoorbellsPerIoOfAControllerThread() {
        Params plain = run(SMALL, 100, 2000);
        Params shadow = run(SMALL.with("--shadow-doorbells", "on"), 100, 2000);
        assertEquals(false, plain.get("shadow_doorbells"));
        assertEquals(true, shadow.get("shadow_doorbells"));
        double plainPerIo = (Double) plain.get("mmio_doorbells_per_io");
        double shadowPerIo = (Double) shadow.get("mmio_doorbells_per_io");
        // QD1 without shadow doorbells: one SQ tail and one CQ head doorbell per I/O.
        assertTrue(plainPerIo >= 1.99 && plainPerIo <= 2.01, "plain " + plainPerIo);
        // With them a polling controller asks only when it parks the queue (and the host crosses a stale EventIdx once per wrap).
        long parks = (Long) shadow.get("sq_parks");
        double unexplained = ((Long) shadow.get("mmio_doorbells") - parks) / (double) (Long) shadow.get("io_latency_count");
        assertTrue(unexplained < plainPerIo / 4, "shadow " + shadowPerIo + " (" + parks + " parks) vs plain " + plainPerIo);
        Params inline = run(SMALL.with("--device", "inline").with("--shadow-doorbells", "on").with("--qd", "4"), 100, 200);
        assertTrue((Double) inline.get("mmio_doorbells_per_io") > 0, "inline: the engine asks for a doorbell whenever the SQ empties");
    }

    @Test
    void theSummaryShowsTheCopyRatiosAndTheTargetVerdicts() throws Exception {
        Options options = new Options(2_000, 500, 1_000, 0, 0, 0, 1, null, null, 0);
        Suite suite = new Suite(options, null, iterations -> 300);
        List<Result> results = suite.run(List.of(MemcpyRate::new, MemcpyScatteredRate::new, () -> new NvmePerf(SMALL, 500),
                () -> new NvmePerf(SMALL.with("--qd", "32"), 500),
                () -> new NvmePerf(SMALL.with("--ns", "file").with("--qd", "2"), 500)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        NvmePerfTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), results);
        String text = bytes.toString(StandardCharsets.UTF_8);
        String qd1 = text.lines().filter(l -> l.contains("nvme-perf-randread-qd1-4k-mem ")).findFirst().orElseThrow();
        String qd32 = text.lines().filter(l -> l.contains("nvme-perf-randread-qd32-4k-mem ")).findFirst().orElseThrow();
        String file = text.lines().filter(l -> l.contains("nvme-perf-randread-qd2-4k-file ")).findFirst().orElseThrow();
        assertTrue(qd1.endsWith("met") || qd1.endsWith("MISSED"), qd1);
        assertTrue(qd32.endsWith("met") || qd32.endsWith("MISSED"), qd32);
        assertTrue(file.endsWith(" -"), file);
        assertTrue(text.contains("copies/s"), text);
        assertTrue(text.contains("MMIO db/IO"), text);
        assertTrue(qd1.contains(" 2.000 "), "QD1 without shadow doorbells: 2 MMIO writes per I/O: " + qd1);
        String reference = text.lines().filter(l -> l.startsWith("   nvme-perf-randread-qd32-4k-mem ")).findFirst().orElseThrow();
        assertTrue(reference.contains("IOPS / scattered copies/s = ") && reference.contains("p50 / (2L + scattered copy p50) = "),
                reference);
        assertTrue(text.contains("reference only, not issue 4's targets"), text);
    }
}
