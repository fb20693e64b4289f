package dev.qpair.stress.barriers;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.infra.results.IIII_Result;

/** The WQE the doorbell tests post: opcode 8, length 64, address 4096, written with plain stores. */
final class TestWqe {

    private TestWqe() {
    }

    static void write(MemorySegment wqe) {
        wqe.set(JAVA_INT, 0, 8);
        wqe.set(JAVA_INT, 4, 64);
        wqe.set(JAVA_LONG, 8, 4096L);
    }

    /** Reads opcode, length and address into r2, r3, r4 with plain loads. */
    static void read(MemorySegment wqe, IIII_Result r) {
        r.r2 = wqe.get(JAVA_INT, 0);
        r.r3 = wqe.get(JAVA_INT, 4);
        r.r4 = (int) wqe.get(JAVA_LONG, 8);
    }
}
