package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

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
 * Hop 1-2 of the datapath: the driver writes a WQE with plain stores and rings the doorbell with
 * {@code writel}; the device reads the doorbell with {@code readl} and then the WQE.
 * Result: doorbell, opcode, length, address.
 */
@JCStressTest
@Description("writel orders the WQE stores before the doorbell store")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "Doorbell not rung yet: the device does not act on the WQE.")
@Outcome(id = "1, 8, 64, 4096", expect = ACCEPTABLE, desc = "Doorbell and the whole WQE.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "Doorbell seen before the WQE it announces.")
@State
public class WritelPublishesDescriptor {

    private final MemorySegment wqe = SharedMemory.allocate(64);
    private final MemorySegment doorbellPage = SharedMemory.allocate(64);

    @Actor
    public void driver() {
        TestWqe.write(wqe);
        Mmio.writel(doorbellPage, 0, 1); // writel(): WQE stores before the doorbell
    }

    @Actor
    public void device(IIII_Result r) {
        r.r1 = Mmio.readl(doorbellPage, 0); // readl(): doorbell load before the WQE loads
        TestWqe.read(wqe, r);
    }
}
