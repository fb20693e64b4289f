package dev.qpair.rings;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The 16-byte data segment ({@link SendWqe#DATA_SEGMENT}: byte_count, lkey, addr) shared by send
 * and receive WQEs: one set of VarHandles and accessors for both flyweights. Plain accesses; the
 * WQE's producer-index publication orders them.
 */
final class DataSegment {

    private static final VarHandle BYTE_COUNT = SendWqe.handle(SendWqe.DATA_SEGMENT, "byte_count");
    private static final VarHandle LKEY = SendWqe.handle(SendWqe.DATA_SEGMENT, "lkey");
    private static final VarHandle ADDR = SendWqe.handle(SendWqe.DATA_SEGMENT, "addr");

    private DataSegment() {
    }

    static void write(MemorySegment ring, long offset, int lkey, long addr, int length) {
        BYTE_COUNT.set(ring, offset, length);
        LKEY.set(ring, offset, lkey);
        ADDR.set(ring, offset, addr);
    }

    static int byteCount(MemorySegment ring, long offset) {
        return (int) BYTE_COUNT.get(ring, offset);
    }

    static int lkey(MemorySegment ring, long offset) {
        return (int) LKEY.get(ring, offset);
    }

    static long addr(MemorySegment ring, long offset) {
        return (long) ADDR.get(ring, offset);
    }
}
