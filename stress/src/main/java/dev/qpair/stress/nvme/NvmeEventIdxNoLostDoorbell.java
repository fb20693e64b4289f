package dev.qpair.stress.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Barriers;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * NVMe shadow doorbells, as nvme-model's qpair and controller run them. The SQ holds one command
 * (shadow tail 1) that the controller has consumed; EventIdx is still 0. The host queues a second
 * command: shadow tail = 2, {@code mb()}, read EventIdx, write the MMIO doorbell only if the tail
 * passed it. The controller goes idle: EventIdx = 1, {@code mb()}, re-read the shadow tail. With
 * both {@code mb()}s one of them must see the other's store, so the new command is never lost.
 * Result: host wrote the MMIO doorbell (1/0), the tail the controller re-read.
 */
@JCStressTest
@Description("Shadow tail / EventIdx with mb() on both sides: the host rings or the controller sees the tail")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The host saw EventIdx 1 and rang; the controller wakes on the doorbell.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Both saw each other: a spare doorbell.")
@Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "No doorbell needed: the controller's re-check found tail 2.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Lost doorbell: no MMIO write and the controller idles on tail 1.")
@State
public class NvmeEventIdxNoLostDoorbell {

    private static final int ENTRIES = 16;

    private final MemorySegment shadow = SharedMemory.allocate(64);
    private final MemorySegment eventIdx = SharedMemory.allocate(64);

    public NvmeEventIdxNoLostDoorbell() {
        shadow.set(JAVA_INT, 0, 1);
        eventIdx.set(JAVA_INT, 0, 0);
    }

    @Actor
    public void host(II_Result r) {
        Barriers.smpStoreReleaseInt(shadow, 0, 2);
        Barriers.mb();
        int event = Barriers.readOnceInt(eventIdx, 0);
        r.r1 = NvmeQueues.needEvent(event, 2, 1, ENTRIES) ? 1 : 0;
    }

    @Actor
    public void controller(II_Result r) {
        Barriers.smpStoreReleaseInt(eventIdx, 0, 1);
        Barriers.mb();
        r.r2 = Barriers.smpLoadAcquireInt(shadow, 0);
    }
}
