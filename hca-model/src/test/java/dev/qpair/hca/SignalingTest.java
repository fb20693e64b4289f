package dev.qpair.hca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Strict selective signaling (mlx5): slots come back only with a polled signaled completion. */
@Timeout(30)
class SignalingTest {

    private static QpInitAttr small() {
        return new QpInitAttr().maxSendWr(8).maxSendSge(1).maxInlineData(0);
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aNeverSignaledQueueFillsAndTheErrorSaysWhy(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, small(), AccessFlags.ALL, 64)) {
            int slots = f.a.sendSlots();
            assertEquals(16, slots, "8 WRs at their largest: an atomic takes 2 slots");
            for (int i = 0; i < slots; i++) {
                f.a.wrStart();
                f.a.wrId(i).wrFlags(0).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                f.a.wrComplete();
            }
            assertTrue(Fixture.staysEmpty(f.cqA), "unsignaled WRs complete silently");
            assertEquals(0, f.a.freeSendSlots());
            f.a.wrStart();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.a.wrRdmaWrite(f.mrB.rkey(), f.addrB(0)));
            f.a.wrAbort();
            String m = e.getMessage();
            assertTrue(m.contains("16 of 16 slots"), m);
            assertTrue(m.contains("the last 16 WRs were posted unsignaled"), m);
            assertTrue(m.contains("SendFlags.SIGNALED") && m.contains("sqSigAll"), m);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aPolledSignaledCompletionFreesItsSlotsAndEveryUnsignaledOneBefore(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, small(), AccessFlags.ALL, 64)) {
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < 16; i++) {
                    f.a.wrStart();
                    f.a.wrId(i).wrFlags(i == 15 ? SendFlags.SIGNALED : 0).wrRdmaWrite(f.mrB.rkey(), f.addrB(0))
                            .wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                    f.a.wrComplete();
                }
                assertEquals(0, f.a.freeSendSlots());
                f.poll(f.cqA);
                assertEquals(15, f.wrId);
                assertEquals(WcStatus.SUCCESS, f.status);
                assertEquals(16, f.a.freeSendSlots());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aFullQueueWithASignaledWrOutstandingSaysPoll(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, small(), AccessFlags.ALL, 64)) {
            for (int i = 0; i < 16; i++) {
                f.a.wrStart();
                f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                f.a.wrComplete();
            }
            f.a.wrStart();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.a.wrSend());
            f.a.wrAbort();
            assertTrue(e.getMessage().contains("poll the send CQ"), e.getMessage());
        }
    }

    @Test
    void slotCountsFollowTheWqeLayout() {
        assertEquals(1, QueuePair.sendSlotsFor(WrOpcode.SEND, 2));
        assertEquals(2, QueuePair.sendSlotsFor(WrOpcode.SEND, 3));
        assertEquals(1, QueuePair.sendSlotsFor(WrOpcode.RDMA_WRITE, 1));
        assertEquals(2, QueuePair.sendSlotsFor(WrOpcode.RDMA_WRITE, 2));
        assertEquals(2, QueuePair.sendSlotsFor(WrOpcode.ATOMIC_CMP_AND_SWP, 1));
        assertEquals(1, QueuePair.sendSlotsForInline(WrOpcode.SEND, 28));
        assertEquals(2, QueuePair.sendSlotsForInline(WrOpcode.SEND, 29));
        try (Fixture f = new Fixture(DeviceMode.INLINE)) {
            int before = f.a.freeSendSlots();
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0))
                    .wrAddSge(f.mrA.lkey(), f.addrA(0), 8).wrAddSge(f.mrA.lkey(), f.addrA(8), 8);
            assertEquals(before - QueuePair.sendSlotsFor(WrOpcode.RDMA_WRITE, 2), f.a.freeSendSlots());
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(before, f.a.freeSendSlots());
        }
    }

    @Test
    void postArgumentsBeyondTheQpLimitsNameTheLimit() {
        try (Fixture f = new Fixture(DeviceMode.INLINE, small(), AccessFlags.ALL, 64)) {
            f.a.wrStart();
            f.a.wrSend().wrAddSge(f.mrA.lkey(), f.addrA(0), 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.a.wrAddSge(f.mrA.lkey(), f.addrA(0), 8));
            assertTrue(e.getMessage().contains("numSge would be 2") && e.getMessage().contains("maxSendSge"), e.getMessage());
            f.a.wrSend();
            e = assertThrows(IllegalArgumentException.class, () -> f.a.wrSetInlineData(f.segA(), 0, 1));
            assertTrue(e.getMessage().contains("inline length is 1") && e.getMessage().contains("[0, 0]"), e.getMessage());
            f.a.wrAbort();
            assertEquals(16, f.a.freeSendSlots(), "an aborted batch publishes nothing");
        }
    }

    @Test
    void aFullReceiveQueueSaysPollAndStaysUsable() {
        try (Fixture f = new Fixture(DeviceMode.INLINE, new QpInitAttr().maxRecvWr(4).threadSafe(true), AccessFlags.ALL, 64)) {
            for (int i = 0; i < 4; i++) {
                f.b.postRecv(i, f.mrB.lkey(), f.addrB(0), 8);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.b.postRecv(4, f.mrB.lkey(), f.addrB(0), 8));
            assertTrue(e.getMessage().contains("4 of 4 receives"), e.getMessage());
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            f.poll(f.cqA);
            f.poll(f.cqB);
            assertEquals(0, f.wrId);
            f.b.postRecv(4, f.mrB.lkey(), f.addrB(0), 8);
        }
    }
}
