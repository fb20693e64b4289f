package dev.qpair.memory;

import java.lang.foreign.MemorySegment;

/**
 * Memory a device may touch: the only thing a {@link MemoryRegion} can be registered over. Every
 * kind records the device it is local to ({@link #owner()}) and refuses {@link #close()} while a
 * memory region still uses it, so a registered buffer cannot disappear under the device.
 */
public abstract sealed class DmaMemory implements AutoCloseable permits AlignedBuffer, SharedMemoryFile, DeviceMemory {

    final Pins pins;

    DmaMemory(String what) {
        this.pins = new Pins(what);
    }

    /** The memory, as one segment; its {@link MemorySegment#address()} is the default iova of a registration. */
    public abstract MemorySegment segment();

    /** The size in bytes. */
    public final long byteSize() {
        return segment().byteSize();
    }

    /** The device this memory is local to; {@link DeviceId#HOST} for system memory. */
    public abstract DeviceId owner();

    /** Whether this memory is local to {@code device}. */
    public final boolean isLocalTo(DeviceId device) {
        return owner().equals(Check.notNull(device, "device"));
    }

    /** How many memory regions use this memory now (valid registrations, not invalidated ones). */
    public final int registrationCount() {
        return pins.count();
    }

    /** Whether {@link #close()} has not succeeded yet. */
    public final boolean isOpen() {
        return !pins.isClosed();
    }

    /**
     * Releases the memory. Idempotent.
     *
     * @throws IllegalStateException while a memory region uses it, naming the regions' lkeys
     */
    @Override
    public final void close() {
        if (pins.close()) {
            release();
        }
    }

    abstract void release();
}
