package dev.qpair.stress.barriers;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The 64-byte CQE the owner-bit tests complete: wr_id 77, byte_len 64, status 0 (success), with a
 * status of -1 before the device writes it, and the owner word at offset 60.
 */
final class TestCqe {

    static final long OWNER = 60;

    private TestCqe() {
    }

    static MemorySegment allocate() {
        MemorySegment cqe = SharedMemory.allocate(64);
        cqe.set(JAVA_INT, 12, -1);
        return cqe;
    }

    static void writeBody(MemorySegment cqe) {
        cqe.set(JAVA_LONG, 0, 77L);
        cqe.set(JAVA_INT, 8, 64);
        cqe.set(JAVA_INT, 12, 0);
    }

    /** Reads wr_id, byte_len and status into r2, r3, r4 with plain loads. */
    static void readBody(MemorySegment cqe, IIII_Result r) {
        r.r2 = (int) cqe.get(JAVA_LONG, 0);
        r.r3 = cqe.get(JAVA_INT, 8);
        r.r4 = cqe.get(JAVA_INT, 12);
    }
}
