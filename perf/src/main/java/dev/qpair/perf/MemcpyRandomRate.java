package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The copy bound of one random nvme-perf row, measured the way that row's controller copies:
 * {@code MemorySegment.copy} of {@code sizeBytes} between a uniformly random whole block of an
 * off-heap region of {@code regionMib} MiB (the namespace) and host buffer k, k rotating over
 * {@code buffers} page-aligned buffers (one per command the row keeps outstanding), on one thread.
 * {@link Direction#READ} copies from the block into the buffer, as a Read command does;
 * {@link Direction#WRITE} from the buffer into the block, as a Write command does. Blocks are drawn
 * as nvme-perf draws LBAs: uniform over the {@code regionMib MiB / sizeBytes} whole blocks. Every page
 * of the region is written in {@link #open} so that no first-touch fault is measured. The copies are
 * timed as the row's I/Os are: with one buffer (queue depth 1) one copy per sample, a latency row,
 * since a QD1 I/O makes one copy with nothing to overlap its misses with, and takes longer than a copy
 * among back-to-back ones, whose misses overlap (a Write's copy then ends with a full fence: the clock
 * would not wait for its stores, and the I/O's CQE cannot be seen before its data); with more,
 * {@value #PER_SAMPLE} copies per sample, a bandwidth row. {@link #operation} does not allocate.
 */
public final class MemcpyRandomRate implements Benchmark {

    /** Which way the copy goes, named after the command whose copy it is. */
    public enum Direction {
        /** From a block of the region into a host buffer. */
        READ,
        /** From a host buffer into a block of the region. */
        WRITE;

        /** {@code read} or {@code write}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int PAGE = 4096;
    private static final int PER_SAMPLE = 16;

    private final Direction direction;
    private final int size;
    private final int regionMib;
    private final int bufferCount;
    private final long blocks;
    private final long stride;

    private Arena arena;
    private MemorySegment region;
    private MemorySegment[] buffers;
    private int next;
    private final Xorshift64Star random = new Xorshift64Star();

    /**
     * @param direction the copy's direction
     * @param sizeBytes bytes per copy, the row's I/O size: a multiple of 8 up to {@value NvmePerfConfig#MAX_IO_SIZE}
     * @param regionMib the region's size in MiB, the row's namespace size (1..{@value NvmePerfConfig#MAX_NS_MIB})
     * @param buffers   host buffers, the row's queue depth (1..{@value NvmePerfConfig#MAX_QUEUE_DEPTH})
     * @throws IllegalArgumentException naming the parameter and its range
     */
    public MemcpyRandomRate(Direction direction, int sizeBytes, int regionMib, int buffers) {
        if (direction == null) {
            throw new IllegalArgumentException("direction must be READ or WRITE, not null");
        }
        check("sizeBytes", sizeBytes, NvmePerfConfig.MAX_IO_SIZE);
        if (sizeBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("sizeBytes " + sizeBytes + " must be a multiple of 8 in [8, "
                    + NvmePerfConfig.MAX_IO_SIZE + "]");
        }
        check("regionMib", regionMib, NvmePerfConfig.MAX_NS_MIB);
        check("buffers", buffers, NvmePerfConfig.MAX_QUEUE_DEPTH);
        if (((long) regionMib << 20) < sizeBytes) {
            throw new IllegalArgumentException("sizeBytes " + sizeBytes + " must fit in the region of " + regionMib + " MiB");
        }
        this.direction = direction;
        this.size = sizeBytes;
        this.regionMib = regionMib;
        this.bufferCount = buffers;
        this.blocks = ((long) regionMib << 20) / sizeBytes;
        this.stride = (sizeBytes + PAGE - 1L) / PAGE * PAGE;
    }

    private static void check(String name, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " must be in [1, " + max + "]");
        }
    }

    /**
     * The bound of the copies {@code config}'s commands make (direction, I/O size, namespace size,
     * queue depth), or null when its pattern is not purely random reads or random writes.
     */
    public static MemcpyRandomRate matching(NvmePerfConfig config) {
        Direction direction = direction(config.workload());
        return direction == null ? null
                : new MemcpyRandomRate(direction, config.ioSize(), config.nsMib(), config.queueDepth());
    }

    /**
     * The name of the bound row for an nvme-perf row with these knobs, or null when {@code workload}
     * has none (sequential and mixed patterns).
     */
    public static String nameFor(NvmeWorkload workload, int ioSize, int nsMib, int queueDepth) {
        Direction direction = direction(workload);
        return direction == null ? null : name(direction, ioSize, nsMib, queueDepth);
    }

    private static Direction direction(NvmeWorkload workload) {
        return switch (workload) {
            case RANDREAD -> Direction.READ;
            case RANDWRITE -> Direction.WRITE;
            default -> null;
        };
    }

    private static String name(Direction direction, int size, int regionMib, int buffers) {
        String bytes = size % 1024 == 0 ? size / 1024 + "k" : size + "b";
        return "baseline-memcpy-" + bytes + "-rand" + direction.label() + "-" + regionMib + "m-qd" + buffers;
    }

    @Override
    public String name() {
        return name(direction, size, regionMib, bufferCount);
    }

    @Override
    public Kind kind() {
        return bufferCount == 1 ? Kind.LATENCY : Kind.BANDWIDTH;
    }

    @Override
    public int sizeBytes() {
        return size;
    }

    @Override
    public int opsPerSample() {
        return bufferCount == 1 ? 1 : PER_SAMPLE;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", size).put("direction", direction.label()).put("region_mib", regionMib)
                .put("buffers", bufferCount)
                .put("copy", direction == Direction.READ
                        ? "MemorySegment.copy from a uniformly random whole block of the off-heap region into host buffer k"
                        : "MemorySegment.copy from host buffer k into a uniformly random whole block of the off-heap region")
                .put("buffer_rotation", "k = operation mod buffers; buffers page-aligned")
                .put("fence", direction == Direction.WRITE && bufferCount == 1 ? "mb() after each copy" : "none")
                .put("threads", 1);
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofConfined();
        region = arena.allocate((long) regionMib << 20, PAGE);
        for (long offset = 0; offset < region.byteSize(); offset += PAGE) {
            region.set(JAVA_LONG, offset, offset ^ 0x5DEECE66DL);
        }
        MemorySegment all = arena.allocate(stride * bufferCount, PAGE);
        buffers = new MemorySegment[bufferCount];
        for (int k = 0; k < bufferCount; k++) {
            buffers[k] = all.asSlice(k * stride, size);
            for (long offset = 0; offset + Long.BYTES <= size; offset += Long.BYTES) {
                buffers[k].set(JAVA_LONG, offset, (k + 1L) * 0x9E3779B97F4A7C15L ^ offset);
            }
        }
        return null;
    }

    @Override
    public long operation(long i) {
        int k = next;
        next = k + 1 == bufferCount ? 0 : k + 1;
        long offset = random.below(blocks) * size;
        MemorySegment buffer = buffers[k];
        if (direction == Direction.READ) {
            MemorySegment.copy(region, offset, buffer, 0, size);
            return buffer.get(JAVA_LONG, 0);
        }
        MemorySegment.copy(buffer, 0, region, offset, size);
        if (bufferCount == 1) {
            Barriers.mb(); // mb(): the copy's stores visible before the clock stops, as a QD1 Write's are before its CQE
        }
        return region.get(JAVA_LONG, offset);
    }

    /** The region (the namespace's stand-in), between {@link #open} and {@link #close}. */
    MemorySegment region() {
        return region;
    }

    /** Host buffer {@code k}, between {@link #open} and {@link #close}. */
    MemorySegment buffer(int k) {
        return buffers[k];
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
            region = null;
            buffers = null;
        }
    }
}
