package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each error status comes from the input that should produce it; the QP goes to ERR and every other WR flushes once. */
@Timeout(30)
class ErrorsTest {

    private static void expect(Fixture f, CompletionQueue cq, long wrId, int status) {
        f.poll(cq);
        assertEquals(wrId, f.wrId, "wr_id");
        assertEquals(status, f.status, "status of wr_id " + wrId);
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void badLkeyIsLocProtErrThenEverythingElseFlushes(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.a.postRecv(500, f.mrA.lkey(), f.addrA(0), 64);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(0).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrId(2).wrFlags(0).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey() ^ 0x100, f.addrA(0), 8);
            f.a.wrId(3).wrFlags(0).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrId(4).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            expect(f, f.cqA, 2, WcStatus.LOC_PROT_ERR);
            expect(f, f.cqA, 500, WcStatus.WR_FLUSH_ERR);
            assertEquals(WcOpcode.RECV, f.opcode);
            expect(f, f.cqA, 3, WcStatus.WR_FLUSH_ERR);
            expect(f, f.cqA, 4, WcStatus.WR_FLUSH_ERR);
            assertEquals(QpState.ERR, f.a.state());
            f.a.wrStart();
            f.a.wrId(5).wrFlags(0).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            f.a.postRecv(501, f.mrA.lkey(), f.addrA(0), 64);
            f.poll(f.cqA);
            long first = f.wrId;
            assertEquals(WcStatus.WR_FLUSH_ERR, f.status);
            f.poll(f.cqA);
            assertEquals(WcStatus.WR_FLUSH_ERR, f.status);
            assertEquals(5 + 501, first + f.wrId, "the send (5) and the receive (501) posted in ERR both flush, in either order");
            assertTrue(first != f.wrId);
            assertTrue(Fixture.staysEmpty(f.cqA), "nothing completes twice");
            assertEquals(QpState.RTS, f.b.state(), "a local error leaves the peer alone");
            assertTrue(Fixture.staysEmpty(f.cqB));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void rkeyWithoutRemoteWriteIsRemAccessErrAndTheResponderGoesToErr(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, new QpInitAttr().maxSendSge(2), AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_READ, 64)) {
            f.b.postRecv(70, f.mrB.lkey(), f.addrB(0), 64);
            f.segA().set(JAVA_LONG, 0, -1);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(8)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            expect(f, f.cqA, 1, WcStatus.REM_ACCESS_ERR);
            assertEquals(0, f.segB().get(JAVA_LONG, 8), "nothing written");
            expect(f, f.cqB, 70, WcStatus.WR_FLUSH_ERR);
            assertEquals(QpState.ERR, f.a.state());
            assertEquals(QpState.ERR, f.b.state());
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void lengthsPastTheRegionAreLocLenErrLocallyAndRemAccessErrRemotely(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(Fixture.BUF - 8), 16);
            f.a.wrComplete();
            expect(f, f.cqA, 1, WcStatus.LOC_LEN_ERR);
        }
        try (Fixture f = new Fixture(mode)) {
            MemoryRegion small = f.pd.regMr(f.bufB, 0, 4096, AccessFlags.ALL);
            f.a.wrStart();
            f.a.wrId(2).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(small.rkey(), f.addrB(4000)).wrSetSge(f.mrA.lkey(), f.addrA(0), 200);
            f.segA().asSlice(0, 200).fill((byte) 0x5a);
            f.a.wrComplete();
            expect(f, f.cqA, 2, WcStatus.REM_ACCESS_ERR);
            assertEquals(0, f.segB().get(JAVA_BYTE, 4000), "no byte of a refused WRITE lands, inside or outside the region");
            assertEquals(0, f.segB().get(JAVA_BYTE, 4096));
            small.deregister();
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void misalignedAtomicIsRemInvReqErr(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.a.wrStart();
            f.a.wrId(9).wrFlags(SendFlags.SIGNALED).wrAtomicFetchAdd(f.mrB.rkey(), f.addrB(4), 1).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            expect(f, f.cqA, 9, WcStatus.REM_INV_REQ_ERR);
            assertEquals(0, f.segB().get(JAVA_LONG, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendLargerThanTheReceiveIsRemInvReqErrAndLocLenErrAtTheResponder(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.b.postRecv(40, f.mrB.lkey(), f.addrB(0), 100);
            f.b.postRecv(41, f.mrB.lkey(), f.addrB(100), 100);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 101);
            f.a.wrComplete();
            expect(f, f.cqA, 1, WcStatus.REM_INV_REQ_ERR);
            expect(f, f.cqB, 40, WcStatus.LOC_LEN_ERR);
            expect(f, f.cqB, 41, WcStatus.WR_FLUSH_ERR);
            assertEquals(QpState.ERR, f.b.state());
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendWithoutReceiveIsRetriedRnrRetryTimesThenRnrRetryExcErr(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.a.modifyQp(new QpAttr().qpState(QpState.RTS).rnrRetry(3).minRnrTimerNanos(200_000));
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            long start = System.nanoTime();
            expect(f, f.cqA, 1, WcStatus.RNR_RETRY_EXC_ERR);
            assertTrue(System.nanoTime() - start >= 3 * 200_000, "three RNR timers elapsed before giving up");
            assertEquals(QpState.ERR, f.a.state());
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void resetEndsAnRnrWaitSoTheReconnectedQpRunsItsFirstWrAtOnce(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.a.modifyQp(new QpAttr().qpState(QpState.RTS).minRnrTimerNanos(3_600_000_000_000L));
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            assertTrue(Fixture.staysEmpty(f.cqA), "RNR: the SEND waits on an hour's timer");
            assertTrue(f.a.rnrWaiting);
            f.a.modifyQp(new QpAttr().qpState(QpState.RESET));
            f.b.modifyQp(new QpAttr().qpState(QpState.RESET));
            assertFalse(f.a.rnrWaiting, "RESET ends the wait");
            f.a.connect(f.b.qpNum(), 300, 400);
            f.b.connect(f.a.qpNum(), 400, 300);
            f.segA().set(JAVA_LONG, 0, 0x1122334455667788L);
            f.a.wrStart();
            f.a.wrId(2).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(0)).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            expect(f, f.cqA, 2, WcStatus.SUCCESS);
            assertEquals(0x1122334455667788L, f.segB().get(JAVA_LONG, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendThatWaitsOnRnrCompletesOnceAReceiveIsPosted(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.segA().set(JAVA_LONG, 0, 0x0102030405060708L);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrComplete();
            assertTrue(Fixture.staysEmpty(f.cqA), "RNR: the SEND waits, rnr_retry 7 retries forever");
            f.b.postRecv(3, f.mrB.lkey(), f.addrB(0), 8);
            expect(f, f.cqA, 1, WcStatus.SUCCESS);
            expect(f, f.cqB, 3, WcStatus.SUCCESS);
            assertEquals(0x0102030405060708L, f.segB().get(JAVA_LONG, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void garbageDescriptorsBecomeLocQpOpErrAndTheDeviceKeepsWorking(DeviceMode mode) {
        try (Fixture f = new Fixture(mode); Fixture g = new Fixture(mode)) {
            SendWqe w = new SendWqe(f.a.sqRing);
            w.at(0).opcode(0x42).flags(SendWqe.FLAG_SIGNALED).wrId(1).ds(2);
            w.at(1).opcode(WrOpcode.SEND).flags(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_INLINE).wrId(2).ds(0);
            DoorbellRecord.publishSendProducerRelease(f.a.record, 2);
            f.a.engine().doorbell(f.a);
            expect(f, f.cqA, 1, WcStatus.LOC_QP_OP_ERR);
            expect(f, f.cqA, 2, WcStatus.WR_FLUSH_ERR);

            SendWqe v = new SendWqe(g.a.sqRing);
            v.at(0).opcode(WrOpcode.SEND).flags(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_INLINE).wrId(7).ds(3);
            v.at(0).inlineData(MemorySegment.ofArray(new byte[8]), 0, 8);
            g.a.sqRing.set(java.lang.foreign.ValueLayout.JAVA_INT, SendWqe.payloadOffset(WrOpcode.SEND), 1 << 30);
            DoorbellRecord.publishSendProducerRelease(g.a.record, 1);
            g.b.postRecv(1, g.mrB.lkey(), g.addrB(0), 64);
            g.a.engine().doorbell(g.a);
            expect(g, g.cqA, 7, WcStatus.LOC_QP_OP_ERR);
            assertEquals(0, g.segB().get(JAVA_LONG, 0));
        }
        try (Fixture f = new Fixture(mode)) {
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 64);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 64);
            f.a.wrComplete();
            expect(f, f.cqA, 1, WcStatus.SUCCESS);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void cqOverflowRaisesCqErrAndMovesItsQpsToErr(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, new QpInitAttr(), AccessFlags.ALL, 4)) {
            for (int i = 0; i < 5; i++) {
                f.b.postRecv(i, f.mrB.lkey(), f.addrB(64L * i), 64);
            }
            for (int i = 0; i < 5; i++) {
                f.a.wrStart();
                f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
                f.a.wrComplete();
                expect(f, f.cqA, i, WcStatus.SUCCESS);
            }
            long cqErr = awaitEvent(f.device);
            assertEquals(AsyncEvent.CQ_ERR, AsyncEvent.type(cqErr));
            assertEquals(f.cqB.cqn(), AsyncEvent.object(cqErr));
            long qpFatal = awaitEvent(f.device);
            assertEquals(AsyncEvent.QP_FATAL, AsyncEvent.type(qpFatal));
            assertEquals(f.b.qpNum(), AsyncEvent.object(qpFatal));
            assertEquals(-1, f.device.pollAsyncEvent());
            assertEquals(QpState.ERR, f.b.state());
            assertEquals(QpState.RTS, f.a.state());
            assertTrue(f.cqB.isOverflowed());
            assertEquals(1, f.cqB.droppedCqes());
            for (int i = 0; i < 4; i++) {
                expect(f, f.cqB, i, WcStatus.SUCCESS);
            }
            assertTrue(Fixture.staysEmpty(f.cqB), "the device never overwrites an unpolled CQE");
        }
    }

    private static long awaitEvent(Device d) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long e;
        while ((e = d.pollAsyncEvent()) == -1) {
            assertTrue(System.nanoTime() - deadline < 0, "no async event within 30 s");
            Thread.onSpinWait();
        }
        return e;
    }
}
