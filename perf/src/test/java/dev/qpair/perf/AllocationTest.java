package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.testing.AllocationMeter;
import dev.qpair.hca.DeviceMode;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class AllocationTest {

    private static final int SAMPLES = 500;

    /** Operation numbers go on rising across windows, as {@link Benchmark#operation} requires. */
    private static long closedLoopBytes(Benchmark benchmark, long[] nextOp) throws Throwable {
        Sampler sampler = new Sampler();
        Histogram h = Sampler.newHistogram();
        long perCall = (long) SAMPLES * benchmark.opsPerSample();
        return AllocationMeter.bytesAllocatedBy(200, i -> {
            sampler.closedLoop(benchmark, h, SAMPLES, nextOp[0]);
            nextOp[0] += perCall;
        });
    }

    @Test
    void theClosedLoopRecordsWithoutAllocating() throws Throwable {
        Benchmark b = new Fixtures.Counting(false);
        long[] nextOp = new long[1];
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3 && least != 0; window++) {
            least = Math.min(least, closedLoopBytes(b, nextOp));
        }
        assertEquals(0, least);
    }

    @Test
    void theOpenLoopRecordsWithoutAllocating() throws Throwable {
        Sampler sampler = new Sampler();
        Histogram h = Sampler.newHistogram();
        Benchmark b = new Fixtures.Counting(false);
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3 && least != 0; window++) {
            least = Math.min(least, AllocationMeter.bytesAllocatedBy(200, i -> sampler.openLoop(b, h, SAMPLES, i * SAMPLES, 1)));
        }
        assertEquals(0, least);
    }

    @Test
    void theRunnerReportsZeroForAQuietBenchmarkAndTheBytesOfAnAllocatingOne() {
        Runner runner = new Runner(null);
        Measurement quiet = runner.measure(new Fixtures.Counting(false), 20_000, 100_000, 0);
        assertEquals(0.0, quiet.allocatedBytesPerOp());
        Measurement noisy = runner.measure(new Fixtures.Counting(true), 20_000, 100_000, 0);
        assertTrue(noisy.allocatedBytesPerOp() >= 32, "long[4] is at least 32 bytes, got " + noisy.allocatedBytesPerOp());
        assertEquals(100_000, noisy.operations());
    }

    /**
     * Steady state, here and in the two loop tests above: a deoptimization inside a window (this call site meets a new receiver class)
     * re-materializes scalar-replaced objects on the heap once, so the least of three windows is
     * what the datapath allocates per op. The peer is left unpinned (cpu -1) so that it never
     * shares a CPU with the unpinned test thread.
     */
    private static void assertOperationsDoNotAllocate(Supplier<Benchmark> factory) throws Throwable {
        try (Benchmark b = factory.get()) {
            b.open(-1);
            long[] nextOp = new long[1];
            long least = Long.MAX_VALUE;
            for (int window = 0; window < 3 && least != 0; window++) {
                least = Math.min(least, closedLoopBytes(b, nextOp));
            }
            assertEquals(0, least, b.name());
            assertEquals(0, b.errors(), b.name());
        }
    }

    @Test
    void theLimitRingAndPeerRoundTripsDoNotAllocate() throws Throwable {
        assertOperationsDoNotAllocate(LimitPingPong::new);
        assertOperationsDoNotAllocate(MemcpyRate::new);
        NvmePerfConfig qd32 = NvmePerfConfig.defaults().with("--qd", "32");
        assertOperationsDoNotAllocate(() -> MemcpyRandomRate.matching(qd32));
        assertOperationsDoNotAllocate(() -> MemcpyRandomRate.matching(qd32.with("--rw", "randwrite").with("--ns-mib", "1")));
        assertOperationsDoNotAllocate(() -> new MemcpyRandomRate(MemcpyRandomRate.Direction.READ, 512, 1, 1));
        assertOperationsDoNotAllocate(RingDoorbellLat::new);
        assertOperationsDoNotAllocate(JctoolsSpscPingPong::new);
        assertOperationsDoNotAllocate(DisruptorPingPong::new);
    }

    @Test
    void theSizedPeerAndFloorRoundTripsAndFlatSendDoNotAllocate() throws Throwable {
        for (int size : new int[] {64, 4096}) {
            assertOperationsDoNotAllocate(() -> new JctoolsSpscPingPong(size));
            assertOperationsDoNotAllocate(() -> new AgronaRingPingPong(size));
            assertOperationsDoNotAllocate(() -> new DisruptorPingPong(size));
            assertOperationsDoNotAllocate(() -> LineFloor.write(size));
            assertOperationsDoNotAllocate(() -> LineFloor.send(size));
        }
        assertOperationsDoNotAllocate(() -> new FlatSend(Options.parse(new String[] {"--size", "64"}, 0, 2)));
    }

    private static Options verbs(DeviceMode mode, int size, int inline) {
        Options d = Options.defaults();
        return new Options(d.iterations(), d.warmup(), d.bracketIterations(), 0, 0, 0, 1, null, null, size, mode,
                inline, Options.DEFAULT_POST_LIST, Options.DEFAULT_SIGNAL_INTERVAL, 0);
    }

    @Test
    void verbsPostAndPollDoNotAllocateInEitherDeviceMode() throws Throwable {
        for (DeviceMode mode : DeviceMode.values()) {
            assertOperationsDoNotAllocate(() -> new WriteLat(verbs(mode, 64, -1)));
            assertOperationsDoNotAllocate(() -> new WriteLat(verbs(mode, 4096, 0)));
        }
        // send-lat in thread mode is three busy threads (two posters and the engine): on a 2-core machine the
        // unpinned test threads time-share and a window takes minutes, so it is metered in inline mode only.
        assertOperationsDoNotAllocate(() -> new SendLat(verbs(DeviceMode.INLINE, 64, -1)));
    }

    @Test
    void theNewVerbsRowsAndThePeersStreamsDoNotAllocate() throws Throwable {
        for (DeviceMode mode : DeviceMode.values()) {
            assertOperationsDoNotAllocate(() -> new ReadLat(verbs(mode, 64, -1)));
            assertOperationsDoNotAllocate(() -> new AtomicLat(verbs(mode, 0, -1)));
            assertOperationsDoNotAllocate(() -> new WriteBw(verbs(mode, 64, -1)));
        }
        assertOperationsDoNotAllocate(() -> new AtomicLat(Options.parse(new String[] {"--atomic", "cmp-swap"}, 0, 2)));
        assertOperationsDoNotAllocate(() -> new WriteBw(Options.parse(new String[] {"--qps", "4", "--post-list", "3",
                "--signal", "5", "--size", "1024", "--inline", "off"}, 0, 2)));
        assertOperationsDoNotAllocate(() -> new SendBw(verbs(DeviceMode.INLINE, 64, -1)));
        assertOperationsDoNotAllocate(JctoolsSpscStream::new);
        assertOperationsDoNotAllocate(AgronaRingStream::new);
        assertOperationsDoNotAllocate(AgronaRingPingPong::new);
        assertOperationsDoNotAllocate(DisruptorStream::new);
    }

    /**
     * One nvme-perf operation (submit for the free slots, the doorbell, the controller's pass on its
     * own thread or inline, the poll, the completion callback recording the I/O's latency) at queue
     * depth 1 and 32, reads, writes and a mix, memory and file namespaces.
     */
    @Test
    void theNvmePerfOperationDoesNotAllocate() throws Throwable {
        NvmePerfConfig small = NvmePerfConfig.defaults().with("--ns-mib", "1");
        assertOperationsDoNotAllocate(() -> new NvmePerf(small, 0));
        assertOperationsDoNotAllocate(() -> new NvmePerf(small.with("--qd", "32").with("--rw", "randrw"), 0));
        assertOperationsDoNotAllocate(() -> new NvmePerf(small.with("--rw", "write").with("--device", "inline"), 0));
        assertOperationsDoNotAllocate(() -> new NvmePerf(small.with("--qd", "32").with("--device", "inline"), 0));
        assertOperationsDoNotAllocate(() -> new NvmePerf(small.with("--qd", "8").with("--ns", "file"), 0));
    }
}
