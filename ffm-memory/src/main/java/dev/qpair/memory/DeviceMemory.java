package dev.qpair.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * BAR-like memory that belongs to a device: doorbell (UAR) pages, an NVMe controller memory
 * buffer, or another BAR window. Modelled by page-aligned memory from a shared arena, it records its
 * {@link #owner()} so that peer-to-peer placement can ask which device a buffer is local to, and a
 * memory region never mixes it with memory local to something else.
 */
public final class DeviceMemory extends DmaMemory {

    /** What the device exposes through this window. */
    public enum Kind {
        /** Doorbell (UAR) pages: written with {@code writel} semantics through {@code dev.qpair.barriers.Mmio}. */
        DOORBELL_PAGES,
        /** An NVMe controller memory buffer: queues or data placed in the controller, a peer-to-peer target. */
        CONTROLLER_MEMORY_BUFFER,
        /** Any other BAR window of device memory. */
        BAR
    }

    /** The granule of a BAR window. */
    public static final long PAGE_SIZE = 4096;
    /** Largest window accepted: 1 GiB. */
    public static final long MAX_BYTE_SIZE = 1L << 30;

    private final Arena arena;
    private final MemorySegment segment;
    private final DeviceId owner;
    private final Kind kind;

    private DeviceMemory(Arena arena, MemorySegment segment, DeviceId owner, Kind kind) {
        super(String.format("DeviceMemory[%s %s] (%d bytes)", owner.name(), kind, segment.byteSize()));
        this.arena = arena;
        this.segment = segment;
        this.owner = owner;
        this.kind = kind;
    }

    /**
     * Creates a window of device memory.
     *
     * @param owner    the device it belongs to; not {@link DeviceId#HOST}
     * @param kind     what it is
     * @param byteSize a multiple of {@link #PAGE_SIZE} in [{@link #PAGE_SIZE}, {@link #MAX_BYTE_SIZE}]
     * @throws IllegalArgumentException naming the argument, the value and the limit
     */
    public static DeviceMemory allocate(DeviceId owner, Kind kind, long byteSize) {
        Check.notNull(owner, "owner");
        Check.notNull(kind, "kind");
        if (owner.isHost()) {
            throw new IllegalArgumentException("owner = " + owner.name()
                    + ": device memory belongs to a device, not to the host; use AlignedBuffer for system memory");
        }
        Check.inRange(byteSize, "byteSize", PAGE_SIZE, MAX_BYTE_SIZE);
        if (byteSize % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("byteSize = " + byteSize + " is not a multiple of the "
                    + PAGE_SIZE + "-byte BAR page");
        }
        Arena arena = Arena.ofShared();
        try {
            return new DeviceMemory(arena, arena.allocate(byteSize, PAGE_SIZE), owner, kind);
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
        return owner;
    }

    /** What the device exposes through this window. */
    public Kind kind() {
        return kind;
    }

    @Override
    void release() {
        arena.close();
    }

    @Override
    public String toString() {
        return String.format("DeviceMemory[owner=%s, kind=%s, address=0x%x, byteSize=%d]",
                owner.name(), kind, segment.address(), segment.byteSize());
    }
}
