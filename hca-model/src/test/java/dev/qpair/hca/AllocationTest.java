package dev.qpair.hca;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qpair.rings.WcStatus;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Post, doorbell, device step and poll allocate nothing in steady state. In INLINE mode the
 * measured thread runs the engine too; in THREAD mode it is the posting and polling thread.
 */
@Timeout(60)
class AllocationTest {

    private static final long ITERATIONS = 20_000;

    private static void pollOk(CompletionQueue cq) {
        for (int spins = 0; !cq.startPoll(); spins++) {
            Fixture.idle(spins);
        }
        int status = cq.status();
        cq.endPoll();
        if (status != WcStatus.SUCCESS) {
            throw new AssertionError("status " + status);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void inlineRdmaWritePostAndPollAllocateNothing(DeviceMode mode) throws Throwable {
        try (Fixture f = new Fixture(mode)) {
            int rkey = f.mrB.rkey();
            long raddr = f.addrB(0);
            long bytes = bytesAllocatedBy(ITERATIONS, i -> {
                f.a.wrStart();
                f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(rkey, raddr).wrSetInlineData(f.segA(), 0, 64);
                f.a.wrComplete();
                pollOk(f.cqA);
            });
            assertEquals(0, bytes);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendRecvWithSgesAndSelectiveSignalingAllocateNothing(DeviceMode mode) throws Throwable {
        try (Fixture f = new Fixture(mode)) {
            int lkeyA = f.mrA.lkey();
            int lkeyB = f.mrB.lkey();
            long bytes = bytesAllocatedBy(ITERATIONS, i -> {
                f.b.postRecv(i, lkeyB, f.addrB(0), 256);
                f.a.wrStart();
                f.a.wrId(i).wrFlags((i & 3) == 3 ? SendFlags.SIGNALED : 0).wrSendImm((int) i)
                        .wrAddSge(lkeyA, f.addrA(0), 100).wrAddSge(lkeyA, f.addrA(1000), 100);
                f.a.wrComplete();
                pollOk(f.cqB);
                if ((i & 3) == 3) {
                    pollOk(f.cqA);
                }
            });
            assertEquals(0, bytes);
        }
    }
}
