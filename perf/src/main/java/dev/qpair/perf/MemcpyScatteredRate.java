package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reference for nvme-perf, next to the cache-hot {@link MemcpyRate}: {@code MemorySegment.copy}
 * of 4 KiB from a random 4 KiB block of a {@value #REGION_MIB} MiB off-heap region (the size of
 * nvme-perf's default namespace) into one page-aligned buffer, on one thread. It is the copy a
 * controller model does for a 4 KiB random read, with the namespace mostly outside the core's
 * caches. Copies are timed 16 at a time.
 */
public final class MemcpyScatteredRate implements Benchmark {

    public static final String NAME = "baseline-memcpy-4k-scattered";
    public static final int REGION_MIB = NvmePerfConfig.DEFAULT_NS_MIB;
    private static final int SIZE = 4096;
    private static final int PER_SAMPLE = 16;
    private static final long BLOCKS = ((long) REGION_MIB << 20) / SIZE;

    private Arena arena;
    private MemorySegment region;
    private MemorySegment target;
    private long random = 0x9E3779B97F4A7C15L;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kind kind() {
        return Kind.BANDWIDTH;
    }

    @Override
    public int sizeBytes() {
        return SIZE;
    }

    @Override
    public int opsPerSample() {
        return PER_SAMPLE;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", SIZE).put("copy", "MemorySegment.copy from a random 4 KiB block of an off-heap region")
                .put("region_mib", REGION_MIB).put("threads", 1);
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofConfined();
        region = arena.allocate((long) REGION_MIB << 20, 4096);
        target = arena.allocate(SIZE, 4096);
        for (long offset = 0; offset < region.byteSize(); offset += 4096) {
            region.set(JAVA_LONG, offset, offset);
        }
        return null;
    }

    @Override
    public long operation(long i) {
        long x = random;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        random = x;
        long block = ((x * 0x2545F4914F6CDD1DL) >>> 1) % BLOCKS;
        MemorySegment.copy(region, block * SIZE, target, 0, SIZE);
        return target.get(JAVA_LONG, 0);
    }

    @Override
    public long errors() {
        return 0;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
