package dev.qpair.nvme;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Submit, doorbell, the controller step (inline, same thread) and polling allocate nothing per I/O. */
class ZeroAllocationTest {

    @Test
    void readWriteAndPollAllocateNothingInSteadyState() throws Throwable {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(1024);
            MemorySegment small = rig.buffer(4096);
            MemorySegment large = rig.buffer(64 * 1024);
            Done done = new Done();
            long bytes = bytesAllocatedBy(20_000, i -> {
                int n = 0;
                n += qp.write(2, small, i & 255, 1, done, null) ? 1 : 0;
                n += qp.read(2, large, (i * 16) & 255 & ~15, 16, done, null) ? 1 : 0;
                n += qp.read(1, small, i & 1023, 8, done, null) ? 1 : 0;
                if ((i & 7) == 0) {
                    n += qp.flush(1, done, null) ? 1 : 0;
                }
                while (qp.outstanding() > 0) {
                    qp.processCompletions(0);
                }
            });
            assertEquals(0, done.failures);
            long ios = done.count / 2;
            assertTrue(ios > 60_000, "I/Os measured: " + ios);
            // The smallest object is 16 bytes, so any allocation per I/O costs at least 16 x ios bytes.
            // The runtime (JIT deoptimization) may allocate a few hundred bytes once; that does not grow with I/Os.
            assertTrue(bytes < ios / 64, bytes + " bytes allocated by " + ios + " I/Os: allocation on the datapath");
        }
    }
}
