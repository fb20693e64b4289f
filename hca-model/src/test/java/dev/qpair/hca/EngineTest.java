package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.rings.DoorbellQueue;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine's serialization (IDLE -> BUSY -> ARMED), its doorbell queue, shared QPs and the PSN check. */
@Timeout(60)
class EngineTest {

    @Test
    void doorbellsWhileBusyCoalesceIntoOneMorePass() {
        try (Fixture f = new Fixture(DeviceMode.INLINE)) {
            QueuePair qp = f.a;
            assertTrue(qp.scheduleTask(), "IDLE -> BUSY: the caller runs the pass");
            assertFalse(qp.scheduleTask(), "BUSY -> ARMED: the runner owes one more pass");
            assertFalse(qp.scheduleTask(), "ARMED stays ARMED: doorbells coalesce");
            assertTrue(qp.finishTaskPass(), "ARMED -> BUSY: run again");
            assertFalse(qp.finishTaskPass(), "BUSY -> IDLE");
            assertTrue(qp.isTaskIdle());
            assertTrue(qp.scheduleTask());
            assertFalse(qp.finishTaskPass());
        }
    }

    @Test
    void theEngineThreadVisitsOnlyQpsWithDoorbells() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
            List<QueuePair> idle = new ArrayList<>();
            for (int i = 0; i < 512; i++) {
                QueuePair x = f.device.createQp(f.pd, f.cqA, f.cqA, new QpInitAttr().maxSendWr(1).maxRecvWr(1));
                QueuePair y = f.device.createQp(f.pd, f.cqA, f.cqA, new QpInitAttr().maxSendWr(1).maxRecvWr(1));
                x.connect(y.qpNum(), 0, 0);
                y.connect(x.qpNum(), 0, 0);
                idle.add(x);
                idle.add(y);
            }
            Engine engine = f.device.engine();
            engine.quiesce();
            long[] passesBefore = new long[idle.size()];
            for (int i = 0; i < idle.size(); i++) {
                assertTrue(idle.get(i).isTaskIdle());
                passesBefore[i] = idle.get(i).passes;
                assertTrue(passesBefore[i] <= 1, "the RTS kick runs at most one pass: " + passesBefore[i]);
            }
            int consumedBefore = engine.doorbellQueue().consumedAcquire();
            long passesOfA = f.a.passes;
            for (int i = 0; i < 200; i++) {
                f.a.wrStart();
                f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                f.a.wrComplete();
                f.poll(f.cqA);
                assertEquals(WcStatus.SUCCESS, f.status);
            }
            engine.quiesce();
            for (int i = 0; i < idle.size(); i++) {
                assertEquals(passesBefore[i], idle.get(i).passes, "a connected QP without doorbells is never visited by the engine");
            }
            assertEquals(200, engine.doorbellQueue().consumedAcquire() - consumedBefore,
                    "one doorbell slot per post, and the engine reads nothing else to find the work among 1026 QPs");
            assertEquals(200, f.a.passes - passesOfA, "one pass per doorbell");
            assertEquals(0, engine.ignoredDoorbells());
        }
    }

    @Test
    void garbageDoorbellsAreIgnoredAndAFullDoorbellQueueHoldsAPostWithoutLosingIt() throws Exception {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
            Engine engine = f.device.engine();
            DoorbellQueue q = engine.doorbellQueue();
            engine.quiesce();
            long ignoredBefore = engine.ignoredDoorbells();
            int n = q.capacity();
            long[] claimed = new long[n];
            for (int i = 0; i < n; i++) {
                claimed[i] = q.claim();
                assertTrue(claimed[i] != DoorbellQueue.FULL);
            }
            assertEquals(DoorbellQueue.FULL, q.claim(), "every slot is claimed: the engine waits on the first");
            f.segA().set(JAVA_LONG, 0, 0x600d);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread poster = new Thread(() -> {
                try {
                    f.a.wrStart();
                    f.a.wrId(42).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                    f.a.wrComplete();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "poster");
            poster.start();
            assertTrue(Fixture.staysEmpty(f.cqA), "the post waits for a free doorbell slot");
            MemorySegment slots = q.slots();
            for (int i = 0; i < n; i++) {
                long slot = (long) q.indexOf((int) claimed[i]) * DoorbellQueue.SLOT.byteSize();
                slots.asSlice(slot, DoorbellQueue.BLUEFLAME_BYTES).fill((byte) (0x5a + i));
                switch (i % 4) {
                    case 0 -> q.publish(claimed[i], 0xabcdef, 1, 1); // no such QP
                    case 1 -> q.publish(claimed[i], f.a.qpNum(), 1 << 30, 2); // more than a ring ahead
                    case 2 -> q.publish(claimed[i], f.a.qpNum(), -7, 2); // behind what was executed: stale
                    default -> q.publish(claimed[i], f.b.qpNum(), 0, 255); // nothing new, an impossible copy
                }
            }
            poster.join(10_000);
            assertNull(failure.get());
            f.poll(f.cqA);
            assertEquals(42, f.wrId, "the post that waited for a slot is executed once");
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(0x600d, f.segB().get(JAVA_LONG, 0));
            assertTrue(Fixture.staysEmpty(f.cqA));
            assertTrue(Fixture.staysEmpty(f.cqB));
            assertEquals(n / 2, engine.ignoredDoorbells() - ignoredBefore, "unknown QPNs and impossible producer indices are counted");
            assertEquals(-1, f.device.pollAsyncEvent(), "no engine fault");
            assertEquals(QpState.RTS, f.a.state());
            assertEquals(QpState.RTS, f.b.state());
            f.a.wrStart();
            f.a.wrId(43).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(8)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(43, f.wrId, "the engine thread still serves");
        }
    }

    /**
     * Publishes claimed doorbell {@code position} for a's send queue up to its tail, with a copy of
     * the first {@link DoorbellQueue#BLUEFLAME_BYTES} bytes of the 2-block WQE at {@code start} that
     * claims all 2 blocks: the slot's header stands where the WQE's last 12 bytes would be.
     */
    private static void publishTruncatedCopy(Fixture f, DoorbellQueue q, long position, int start) {
        long slot = (long) q.indexOf((int) position) * DoorbellQueue.SLOT.byteSize();
        MemorySegment.copy(f.a.sqRing, (long) start * SendWqe.BASIC_BLOCK_SIZE, q.slots(), slot, DoorbellQueue.BLUEFLAME_BYTES);
        q.publish(position, f.a.qpNum(), f.a.sqTail, 2);
    }

    @Test
    void aDoorbellWhoseCopyClaimsAWqeLongerThanTheCopyIsExecutedFromTheRing() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
            Engine engine = f.device.engine();
            DoorbellQueue q = engine.doorbellQueue();
            engine.quiesce();
            long forged = q.claim();
            for (int i = 0; i < 76; i++) {
                f.segA().set(JAVA_BYTE, i, (byte) (i * 7 + 1));
            }
            int start = f.a.sqTail;
            f.a.wrStart();
            f.a.wrId(7).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetInlineData(f.segA(), 0, 76);
            f.a.wrComplete();
            assertEquals(2, f.a.sqTail - start, "52 bytes of segments and 76 inline: a 128-byte WQE, too long for a copy");
            assertTrue(Fixture.staysEmpty(f.cqA), "the engine waits on the slot claimed first");
            publishTruncatedCopy(f, q, forged, start);
            f.poll(f.cqA);
            assertEquals(7, f.wrId);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(-1, MemorySegment.mismatch(f.segA(), 0, 76, f.segB(), 0, 76),
                    "the last 12 bytes come from the ring's WQE, not from the slot's header after the 116-byte copy");
            assertEquals(0, f.a.shortcutWrites, "the copy was not used");
            assertTrue(Fixture.staysEmpty(f.cqA), "the WQE's own doorbell, behind it, is stale and executes nothing");
        }
    }

    @Test
    void aDoorbellWhoseCopyClaimsMoreSgesThanTheCopyHoldsIsExecutedFromTheRing() {
        QpInitAttr attr = new QpInitAttr().maxSendWr(64).maxRecvWr(64).maxSendSge(5).maxRecvSge(4).maxInlineData(128);
        try (Fixture f = new Fixture(DeviceMode.THREAD, attr, AccessFlags.ALL, 256)) {
            Engine engine = f.device.engine();
            DoorbellQueue q = engine.doorbellQueue();
            engine.quiesce();
            long forged = q.claim();
            for (int i = 0; i < 40; i++) {
                f.segA().set(JAVA_BYTE, i, (byte) (i * 5 + 3));
            }
            int start = f.a.sqTail;
            f.a.wrStart();
            f.a.wrId(8).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0));
            for (int i = 0; i < 5; i++) {
                f.a.wrAddSge(f.mrA.lkey(), f.addrA(8L * i), 8);
            }
            f.a.wrComplete();
            assertEquals(2, f.a.sqTail - start, "48 bytes of segments and five 16-byte SGEs: a 128-byte WQE, too long for a copy");
            publishTruncatedCopy(f, q, forged, start);
            f.poll(f.cqA);
            assertEquals(8, f.wrId);
            assertEquals(WcStatus.SUCCESS, f.status, "the fifth SGE's address and key come from the ring, not from the slot's header");
            assertEquals(-1, MemorySegment.mismatch(f.segA(), 0, 40, f.segB(), 0, 40));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void twoThreadsPostingToASharedQpLoseNothing(DeviceMode mode) throws Exception {
        QpInitAttr attr = new QpInitAttr().maxSendWr(32).maxRecvWr(64).threadSafe(true);
        try (Fixture f = new Fixture(mode, attr, AccessFlags.ALL, 1024)) {
            int perThread = 20_000;
            for (int i = 0; i < f.b.recvCapacity(); i++) {
                f.b.postRecv(i, f.mrB.lkey(), f.addrB(0), 64);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] posters = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int id = t;
                posters[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            for (int spins = 0; ; spins++) {
                                f.a.wrStart();
                                if (f.a.freeSendSlots() >= 1) {
                                    break;
                                }
                                f.a.wrAbort();
                                Fixture.idle(spins);
                            }
                            f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrSendImm(id << 24 | i);
                            f.a.wrComplete();
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "poster-" + t);
                posters[t].start();
            }
            int[] next = new int[2];
            int received = 0;
            int sendsCompleted = 0;
            long deadline = System.nanoTime() + 50_000_000_000L;
            int spins = 0;
            while (received < 2 * perThread || sendsCompleted < 2 * perThread) {
                assertTrue(System.nanoTime() - deadline < 0, "stalled at " + received + " received, " + sendsCompleted + " sent");
                assertNull(failure.get());
                boolean any = false;
                if (f.cqA.startPoll()) {
                    do {
                        assertEquals(WcStatus.SUCCESS, f.cqA.status());
                        sendsCompleted++;
                    } while (f.cqA.nextPoll());
                    f.cqA.endPoll();
                    any = true;
                }
                int polled = 0;
                if (f.cqB.startPoll()) {
                    do {
                        assertEquals(WcStatus.SUCCESS, f.cqB.status());
                        int imm = f.cqB.immData();
                        int thread = imm >>> 24;
                        assertEquals(next[thread], imm & 0xff_ffff, "each poster's SENDs arrive once, in its order");
                        next[thread]++;
                        polled++;
                    } while (f.cqB.nextPoll());
                    f.cqB.endPoll();
                    for (int k = 0; k < polled; k++) {
                        f.b.postRecv(received + k, f.mrB.lkey(), f.addrB(0), 64);
                    }
                    received += polled;
                    any = true;
                }
                spins = any ? 0 : spins + 1;
                Fixture.idle(spins);
            }
            for (Thread p : posters) {
                p.join(10_000);
            }
            assertNull(failure.get());
            assertEquals(perThread, next[0]);
            assertEquals(perThread, next[1]);
            assertTrue(Fixture.staysEmpty(f.cqA));
            assertTrue(Fixture.staysEmpty(f.cqB));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aPsnMismatchNeverDeliversAndExhaustsRetries(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.b.modifyQp(new QpAttr().qpState(QpState.RESET));
            f.b.connect(f.a.qpNum(), 999, 100);
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 64);
            f.segA().set(JAVA_LONG, 0, 77);
            f.a.wrStart();
            f.a.wrId(5).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(5, f.wrId);
            assertEquals(WcStatus.RETRY_EXC_ERR, f.status);
            assertEquals(0, f.segB().get(JAVA_LONG, 0));
            assertTrue(Fixture.staysEmpty(f.cqB));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void psnsAdvanceByPacketsOfTheMtuAndSolicitedReachesTheResponder(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            QpAttr q = f.a.queryQp(new QpAttr());
            assertEquals(QpState.RTS, q.qpState());
            assertEquals(f.b.qpNum(), q.destQpNum());
            assertEquals(200, q.sqPsn());
            assertEquals(100, q.rqPsn());
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 20000);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED | SendFlags.SOLICITED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 2 * 4096 + 1);
            f.a.wrComplete();
            f.poll(f.cqA);
            f.poll(f.cqB);
            assertTrue((f.wcFlags & dev.qpair.rings.Cqe.WC_FLAG_SOLICITED) != 0);
            assertEquals(203, f.a.queryQp(q).sqPsn(), "3 packets of the 4096-byte MTU");
            assertEquals(203, f.b.queryQp(q).rqPsn());
        }
    }
}
