package dev.qpair.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Zeroed, aligned system memory from its own shared arena, with an explicit lifetime: it lives until
 * {@link #close()}, which is refused while a memory region uses it. Any thread may access it.
 *
 * <p>{@link Alignment#HUGE_PAGE} aligns the address to 2 MiB; whether the kernel backs it with a
 * huge page is its transparent-huge-page policy's decision.
 */
public final class AlignedBuffer extends DmaMemory {

    /** Largest buffer accepted: 1 TiB. */
    public static final long MAX_BYTE_SIZE = 1L << 40;

    private final Arena arena;
    private final MemorySegment segment;
    private final Alignment alignment;

    private AlignedBuffer(Arena arena, MemorySegment segment, Alignment alignment) {
        super(String.format("AlignedBuffer@0x%x (%d bytes)", segment.address(), segment.byteSize()));
        this.arena = arena;
        this.segment = segment;
        this.alignment = alignment;
    }

    /**
     * Allocates a buffer.
     *
     * @param byteSize  1 .. {@link #MAX_BYTE_SIZE}
     * @param alignment the alignment of its first byte
     * @throws IllegalArgumentException naming the size and the limit
     */
    public static AlignedBuffer allocate(long byteSize, Alignment alignment) {
        Check.inRange(byteSize, "byteSize", 1, MAX_BYTE_SIZE);
        Check.notNull(alignment, "alignment");
        Arena arena = Arena.ofShared();
        try {
            return new AlignedBuffer(arena, arena.allocate(byteSize, alignment.bytes()), alignment);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public DeviceId owner() {
        return DeviceId.HOST;
    }

    /** The alignment it was allocated with. */
    public Alignment alignment() {
        return alignment;
    }

    @Override
    void release() {
        arena.close();
    }

    @Override
    public String toString() {
        return String.format("AlignedBuffer[address=0x%x, byteSize=%d, alignment=%s]",
                segment.address(), segment.byteSize(), alignment);
    }
}
