package dev.qpair.stress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory for one jcstress state: a fresh, zeroed, cache-line-aligned segment that the
 * garbage collector frees with its state, so every sample starts from a clean descriptor.
 */
public final class SharedMemory {

    private SharedMemory() {
    }

    /** A zeroed segment of {@code bytes}, 64-byte aligned. */
    public static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(bytes, 64);
    }
}
