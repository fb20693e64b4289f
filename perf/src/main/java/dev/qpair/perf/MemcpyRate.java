package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The copy limit: {@code MemorySegment.copy} of 4 KiB between two page-aligned off-heap buffers,
 * on one thread, with both buffers hot in cache. Copies are timed 16 at a time, so the clock's own
 * cost stays small next to a copy.
 */
public final class MemcpyRate implements Benchmark {

    public static final String NAME = "baseline-memcpy-4k";
    private static final int SIZE = 4096;
    private static final int PER_SAMPLE = 16;

    private Arena arena;
    private MemorySegment source;
    private MemorySegment target;

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
        params.put("size_bytes", SIZE).put("copy", "MemorySegment.copy, off-heap to off-heap, page-aligned")
                .put("threads", 1);
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofConfined();
        source = arena.allocate(SIZE, 4096);
        target = arena.allocate(SIZE, 4096);
        for (long offset = 0; offset < SIZE; offset += Long.BYTES) {
            source.set(JAVA_LONG, offset, offset * 0x9E3779B97F4A7C15L);
        }
        return null;
    }

    @Override
    public long operation(long i) {
        MemorySegment.copy(source, 0, target, 0, SIZE);
        return target.get(JAVA_LONG, (i & (SIZE / Long.BYTES - 1)) * Long.BYTES);
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
