package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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

    private static byte[] bytes(MemorySegment segment) {
        return segment.toArray(JAVA_BYTE);
    }

    /** Whether {@code data} equals one whole {@code size}-byte block of {@code region}. */
    private static boolean isBlockOf(byte[] data, byte[] region, int size) {
        for (int block = 0; block + size <= region.length; block += size) {
            if (Arrays.equals(data, 0, size, region, block, block + size)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theReadBoundCopiesRandomBlocksOfTheRegionIntoTheBuffersAndLeavesTheRegionAlone() {
        try (MemcpyRandomRate bound = MemcpyRandomRate.matching(SMALL.with("--qd", "4"))) {
            bound.open(-1);
            byte[] region = bytes(bound.region());
            byte[][] before = new byte[4][];
            for (int k = 0; k < 4; k++) {
                before[k] = bytes(bound.buffer(k));
                assertFalse(isBlockOf(before[k], region, 4096), "buffer " + k + " starts apart from the region");
            }
            for (long i = 0; i < 64; i++) {
                bound.operation(i);
            }
            assertArrayEquals(region, bytes(bound.region()), "a read copy never writes the region");
            Set<Long> blocks = new HashSet<>();
            for (int k = 0; k < 4; k++) {
                byte[] after = bytes(bound.buffer(k));
                assertFalse(Arrays.equals(before[k], after), "buffer " + k + " was copied into");
                assertTrue(isBlockOf(after, region, 4096), "buffer " + k + " holds a whole block of the region");
                blocks.add(bound.buffer(k).get(JAVA_LONG, 0));
            }
            assertTrue(blocks.size() >= 3, "the last four copies came from " + blocks.size() + " distinct blocks, not one");
        }
    }

    @Test
    void theWriteBoundCopiesTheBuffersIntoRandomBlocksAndLeavesTheBuffersAlone() {
        try (MemcpyRandomRate bound = MemcpyRandomRate.matching(SMALL.with("--qd", "4").with("--rw", "randwrite"))) {
            bound.open(-1);
            byte[] region = bytes(bound.region());
            byte[][] buffers = new byte[4][];
            for (int k = 0; k < 4; k++) {
                buffers[k] = bytes(bound.buffer(k));
            }
            for (long i = 0; i < 64; i++) {
                bound.operation(i);
            }
            for (int k = 0; k < 4; k++) {
                assertArrayEquals(buffers[k], bytes(bound.buffer(k)), "a write copy never writes buffer " + k);
            }
            byte[] after = bytes(bound.region());
            int changed = 0;
            boolean[] seen = new boolean[4];
            for (int block = 0; block < after.length; block += 4096) {
                if (Arrays.equals(region, block, block + 4096, after, block, block + 4096)) {
                    continue;
                }
                changed++;
                boolean fromABuffer = false;
                for (int k = 0; k < 4; k++) {
                    if (Arrays.equals(buffers[k], 0, 4096, after, block, block + 4096)) {
                        fromABuffer = true;
                        seen[k] = true;
                    }
                }
                assertTrue(fromABuffer, "block " + block / 4096 + " changed into something no buffer holds");
            }
            assertTrue(changed > 4, changed + " blocks written by 64 random copies");
            assertArrayEquals(new boolean[] {true, true, true, true}, seen, "every buffer is copied in turn");
        }
    }

    @Test
    void theBoundTakesItsRegionBuffersAndBlockSizeFromTheRow() {
        try (MemcpyRandomRate bound = MemcpyRandomRate.matching(SMALL.with("--qd", "4"))) {
            bound.open(-1);
            assertEquals("baseline-memcpy-4k-randread-1m-qd4", bound.name());
            assertEquals(1L << 20, bound.region().byteSize());
            for (int k = 0; k < 4; k++) {
                assertEquals(4096, bound.buffer(k).byteSize());
                assertEquals(0, bound.buffer(k).address() % 4096, "buffer " + k + " is page-aligned");
            }
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> bound.buffer(4));
            Params p = new Params();
            bound.describe(p);
            assertEquals("read", p.get("direction"));
            assertEquals(1L, p.get("region_mib"));
            assertEquals(4096L, p.get("size_bytes"));
            assertEquals(4L, p.get("buffers"));
        }
        try (MemcpyRandomRate bound = MemcpyRandomRate.matching(NvmePerfConfig.defaults().with("--rw", "randwrite")
                .with("--io-size", "512").with("--ns-mib", "3").with("--qd", "7"))) {
            bound.open(-1);
            assertEquals("baseline-memcpy-512b-randwrite-3m-qd7", bound.name());
            assertEquals(3L << 20, bound.region().byteSize());
            assertEquals(512, bound.buffer(6).byteSize());
            assertEquals(0, bound.buffer(6).address() % 4096, "buffer 6 is page-aligned");
        }
        for (String rw : List.of("read", "write", "rw", "randrw")) {
            assertNull(MemcpyRandomRate.matching(SMALL.with("--rw", rw)), rw + " has no matched bound");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MemcpyRandomRate(MemcpyRandomRate.Direction.READ, 4096, 1, 1024));
        assertTrue(e.getMessage().contains("buffers") && e.getMessage().contains("1023"), e.getMessage());
    }

    @Test
    void theBoundIsTimedAsItsRowIsOneCopyPerSampleAtQueueDepthOne() {
        for (String qd : List.of("1", "2", "32")) {
            NvmePerfConfig row = SMALL.with("--qd", qd);
            try (MemcpyRandomRate bound = MemcpyRandomRate.matching(row); NvmePerf perf = new NvmePerf(row, 0)) {
                assertEquals(perf.kind(), bound.kind(), "qd " + qd);
                assertEquals(perf.opsPerSample(), bound.opsPerSample(), "qd " + qd);
            }
        }
        try (MemcpyRandomRate qd1 = MemcpyRandomRate.matching(SMALL)) {
            qd1.open(-1);
            Measurement m = new Runner(null).measure(qd1, 10, 100, 0);
            assertEquals(100, m.operations(), "one copy per sample");
        }
    }

    private static List<String> names(List<Supplier<Benchmark>> set) {
        return set.stream().map(f -> f.get().name()).toList();
    }

    @Test
    void perfMainPutsOneBoundRowPerDistinctRandomKeyBeforeTheNvmeRows() {
        List<String> full = names(PerfMain.nvmeRows(PerfMain.NVME_SET, 0));
        assertEquals(List.of("baseline-memcpy-4k-randread-64m-qd1", "baseline-memcpy-4k-randread-64m-qd32",
                "baseline-memcpy-4k-randwrite-64m-qd1", "baseline-memcpy-4k-randwrite-64m-qd32"), full.subList(0, 4));
        assertEquals(PerfMain.NVME_SET.stream().map(NvmePerfConfig::name).toList(), full.subList(4, full.size()));
        assertEquals(List.of("baseline-memcpy-4k-randread-64m-qd1", "baseline-memcpy-4k-randread-64m-qd32",
                        "nvme-perf-randread-qd1-4k-mem", "nvme-perf-randread-qd32-4k-mem"),
                names(PerfMain.nvmeRows(PerfMain.SHORT_NVME_SET, 0)));
        assertEquals(List.of("nvme-perf-rw50-qd32-4k-mem", "nvme-perf-read-qd1-4k-mem"),
                names(PerfMain.nvmeRows(List.of(SMALL.with("--rw", "rw").with("--qd", "32"), SMALL.with("--rw", "read")), 0)));
    }

    /** The number in column {@code column} (0 = IOPS) of a summary row. */
    private static double column(String line, int column) {
        String[] cells = line.substring(line.indexOf(" : ") + 3).trim().split("\\s+");
        return Double.parseDouble(cells[column].replace(",", ""));
    }

    private static final int X_COPY = 11;
    private static final int X_HOT_COPY = 14;

    @Test
    void theSummaryReadsEachRowAgainstItsMatchedBoundAndShowsTheHotCopy() throws Exception {
        Options options = new Options(2_000, 500, 1_000, 0, 0, 0, 1, null, null, 0);
        Suite suite = new Suite(options, null, iterations -> 300);
        List<Supplier<Benchmark>> set = new ArrayList<>();
        set.add(MemcpyRate::new);
        set.addAll(PerfMain.nvmeRows(List.of(SMALL, SMALL.with("--qd", "32"), SMALL.with("--rw", "randwrite").with("--qd", "32"),
                SMALL.with("--ns", "file").with("--qd", "2"), SMALL.with("--rw", "randrw").with("--qd", "2")), 500));
        List<Result> results = suite.run(set);
        String text = summary(results);
        Map<String, Result> byName = new HashMap<>();
        results.forEach(r -> byName.put(r.name(), r));
        Result hot = byName.get(MemcpyRate.NAME);
        Map<String, String> boundOf = Map.of("nvme-perf-randread-qd1-4k-mem", "baseline-memcpy-4k-randread-1m-qd1",
                "nvme-perf-randread-qd32-4k-mem", "baseline-memcpy-4k-randread-1m-qd32",
                "nvme-perf-randwrite-qd32-4k-mem", "baseline-memcpy-4k-randwrite-1m-qd32",
                "nvme-perf-randread-qd2-4k-file", "baseline-memcpy-4k-randread-1m-qd2");
        for (Map.Entry<String, String> e : boundOf.entrySet()) {
            Result row = byName.get(e.getKey());
            Result bound = byName.get(e.getValue());
            String line = row(text, e.getKey());
            double expected = row.opsPerSecond() / bound.opsPerSecond();
            assertEquals(expected, column(line, X_COPY), 0.0005 + 1e-9, "x copy of " + line);
            assertEquals(row.opsPerSecond() / hot.opsPerSecond(), column(line, X_HOT_COPY), 0.0005 + 1e-9,
                    "x hot copy of " + line);
            assertEquals((double) bound.percentileNs(50) / Math.max(1, row.percentileNs(50)), column(line, X_COPY + 1),
                    0.0005 + 1e-9, "x copy p50 of " + line);
            double qd1Ratio = (Long) row.params().get("io_latency_p50_ns") / (2 * row.bracket().limitP50Ns() + bound.percentileNs(50));
            assertEquals(qd1Ratio, column(line, X_COPY + 2), 0.005 + 1e-9, "p50/(2L+copy) of " + line);
            String[] tokens = line.trim().split("\\s+");
            String verdict = tokens[tokens.length - 2];
            if (e.getKey().contains("-qd1-4k-mem")) {
                assertEquals(qd1Ratio <= 1 ? "met" : "MISSED", verdict, "QD1 verdict by p50/(2L+copy) " + qd1Ratio + ": " + line);
            } else if (e.getKey().contains("-qd32-4k-mem")) {
                assertEquals(expected >= NvmePerfTable.QD32_COPY_SHARE ? "met" : "MISSED", verdict,
                        "QD32 verdict by x copy " + expected + ": " + line);
            }
            String header = text.lines().filter(l -> l.startsWith("   " + e.getValue() + ": ")).findFirst().orElseThrow();
            assertTrue(header.contains(e.getKey()), "the bound's header line names the rows read against it: " + header);
        }
        String qd1 = row(text, "nvme-perf-randread-qd1-4k-mem");
        String qd32 = row(text, "nvme-perf-randread-qd32-4k-mem");
        assertTrue(qd1.endsWith("met") || qd1.endsWith("MISSED"), qd1);
        assertTrue(qd32.endsWith("met") || qd32.endsWith("MISSED"), qd32);
        assertTrue(row(text, "nvme-perf-randread-qd2-4k-file").endsWith(" -"), text);
        String mixed = row(text, "nvme-perf-randrw50-qd2-4k-mem");
        String[] cells = mixed.substring(mixed.indexOf(" : ") + 3).trim().split("\\s+");
        assertEquals(List.of("-", "-", "-"), List.of(cells[X_COPY], cells[X_COPY + 1], cells[X_COPY + 2]), mixed);
        assertEquals(List.of("-", "-"), List.of(cells[cells.length - 2], cells[cells.length - 1]), mixed);
        assertTrue(text.contains("x hot copy") && text.contains("why: "), text);
        assertTrue(text.contains("none for sequential or mixed rows") && text.contains("nvme-perf-randrw50-qd2-4k-mem"), text);
        assertTrue(qd1.contains(" 2.000 "), "QD1 without shadow doorbells: 2 MMIO writes per I/O: " + qd1);
        assertFalse(text.contains("reference only"), text);
        for (String target : List.of("nvme-perf-randread-qd1-4k-mem", "nvme-perf-randread-qd32-4k-mem", "nvme-perf-randwrite-qd32-4k-mem")) {
            Result row = byName.get(target);
            String hotLine = text.lines().filter(l -> l.startsWith("   " + target + " ")).findFirst().orElseThrow(() -> new AssertionError(target + " hot reading: " + text));
            double value = Double.parseDouble(hotLine.replaceAll(".*= ([0-9.]+),.*", "$1"));
            if (target.contains("qd1")) {
                double expected = (Long) row.params().get("io_latency_p50_ns") / (2 * row.bracket().limitP50Ns() + hot.percentileNs(50));
                assertEquals(expected, value, 0.005 + 1e-9, hotLine);
                assertTrue(hotLine.endsWith(expected <= 1 ? "met" : "MISSED"), hotLine);
            } else {
                double expected = row.opsPerSecond() / hot.opsPerSecond();
                assertEquals(expected, value, 0.0005 + 1e-9, hotLine);
                assertTrue(hotLine.endsWith(expected >= NvmePerfTable.QD32_COPY_SHARE ? "met" : "MISSED"), hotLine);
            }
        }
        assertTrue(text.lines().noneMatch(l -> l.startsWith("   nvme-perf-randread-qd2-4k-file ") || l.startsWith("   nvme-perf-randrw50")),
                "no hot reading for rows without a target: " + text);

        List<Result> withoutBound = results.stream().filter(r -> !r.name().equals("baseline-memcpy-4k-randread-1m-qd32")).toList();
        String missing = summary(withoutBound);
        assertTrue(missing.contains("baseline-memcpy-4k-randread-1m-qd32: missing from this run"), missing);
        String orphan = row(missing, "nvme-perf-randread-qd32-4k-mem");
        String[] orphanCells = orphan.substring(orphan.indexOf(" : ") + 3).trim().split("\\s+");
        assertEquals("-", orphanCells[X_COPY], orphan);
        assertEquals(List.of("-", "-"), List.of(orphanCells[orphanCells.length - 2], orphanCells[orphanCells.length - 1]), orphan);
    }

    private static String summary(List<Result> results) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        NvmePerfTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), results);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String row(String text, String name) {
        return text.lines().filter(l -> l.startsWith(" " + name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + " in " + text));
    }
}
