package dev.qpair.stress.barriers;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/** A two-slot send queue shared by two posters, with one producer index and one doorbell register. */
final class TestSendQueue {

    private static final long PRODUCER = 64;

    private final MemorySegment sq = SharedMemory.allocate(128);
    private final MemorySegment doorbellPage = SharedMemory.allocate(64);

    /**
     * Reads the doorbell as the device last saw it, writes {@code id} into the next slot and rings
     * the doorbell with the new producer index.
     *
     * @return the doorbell value found before posting
     */
    int post(int id) {
        int seen = Mmio.readl(doorbellPage, 0); // readl(): the device's view of the doorbell, before later loads
        int slot = Barriers.readOnceInt(sq, PRODUCER); // READ_ONCE(): the lock (or its absence) orders it
        sq.setAtIndex(JAVA_INT, slot, id);
        Barriers.writeOnceInt(sq, PRODUCER, slot + 1); // WRITE_ONCE(): the lock (or its absence) orders it
        Mmio.writel(doorbellPage, 0, slot + 1); // writel(): the WQE store before the doorbell
        return seen;
    }

    /** The device's view after both posters: final doorbell, slot 0, slot 1 into r3, r4, r5. */
    void observe(IIIII_Result r) {
        r.r3 = Mmio.readl(doorbellPage, 0); // readl(): the final doorbell before the slot loads
        r.r4 = sq.getAtIndex(JAVA_INT, 0);
        r.r5 = sq.getAtIndex(JAVA_INT, 1);
    }
}
