/**
 * Qpair barriers: the Linux kernel's memory-ordering and MMIO primitives for device-shared
 * {@link java.lang.foreign.MemorySegment}s. See {@link dev.qpair.barriers} for the ordering map.
 */
module dev.qpair.barriers {
    exports dev.qpair.barriers;
}
