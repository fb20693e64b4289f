package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import dev.qpair.barriers.Mmio;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The relaxed doorbell without its {@code wmb}: documents what the memory model permits, so that
 * nobody drops the barrier of {@link WritelRelaxedAfterWmbPublishesDescriptor}. Passes either way.
 * Result: doorbell, opcode, length, address.
 */
@JCStressTest
@Description("writel_relaxed without wmb orders nothing: the doorbell may overtake the WQE")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "Doorbell not rung yet: the device does not act on the WQE.")
@Outcome(id = "1, 8, 64, 4096", expect = ACCEPTABLE, desc = "Doorbell and the whole WQE.")
@Outcome(id = "1, .*", expect = ACCEPTABLE_INTERESTING,
        desc = "Permitted: writel_relaxed does not order earlier stores. On x86 only the JIT can reorder them; on AArch64 the CPU can too.")
@State
public class WritelRelaxedDoesNotOrderDescriptor {

    private final MemorySegment wqe = SharedMemory.allocate(64);
    private final MemorySegment doorbellPage = SharedMemory.allocate(64);

    @Actor
    public void driver() {
        TestWqe.write(wqe);
        Mmio.writelRelaxed(doorbellPage, 0, 1); // writel_relaxed() with no wmb(): orders nothing
    }

    @Actor
    public void device(IIII_Result r) {
        r.r1 = Mmio.readl(doorbellPage, 0); // readl(): doorbell load before the WQE loads
        TestWqe.read(wqe, r);
    }
}
