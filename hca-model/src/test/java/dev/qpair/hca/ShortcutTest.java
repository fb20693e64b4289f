package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.DoorbellQueue;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's shortcut for a batch of one inline RDMA_WRITE or SEND, in both device modes (THREAD:
 * executed from the doorbell's BlueFlame copy; INLINE: from the ring): it lands and completes
 * exactly as a general pass would, and every case it does not cover reaches the general pass
 * untouched, with the general pass's status. The per-QP counters {@code shortcutWrites} and
 * {@code shortcutSends} tell which path ran.
 */
@Timeout(60)
class ShortcutTest {

    private static final byte GUARD = 0x55;

    private static void fill(MemorySegment s, long offset, int length, int seed) {
        for (int i = 0; i < length; i++) {
            s.set(JAVA_BYTE, offset + i, (byte) (seed + i * 31));
        }
    }

    private static void assertBytes(MemorySegment expected, long eOff, MemorySegment actual, long aOff, int length) {
        assertEquals(-1, MemorySegment.mismatch(expected, eOff, eOff + length, actual, aOff, aOff + length), "first differing byte");
    }

    private static void writeInline(Fixture f, long wrId, int flags, int rkey, long remote, long srcOffset, int length) {
        f.a.wrStart();
        f.a.wrId(wrId).wrFlags(flags).wrRdmaWrite(rkey, remote).wrSetInlineData(f.segA(), srcOffset, length);
        f.a.wrComplete();
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void inlineWritesOfEverySizeLandAndCompleteThroughTheShortcut(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 4096, 3);
            long remote = 0;
            for (int length = 1; length <= 64; length++) {
                writeInline(f, 1000 + length, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(remote), length, length);
                f.poll(f.cqA);
                assertEquals(1000 + length, f.wrId);
                assertEquals(WcStatus.SUCCESS, f.status);
                assertEquals(WcOpcode.RDMA_WRITE, f.opcode);
                assertEquals(length, f.byteLen);
                assertEquals(f.a.qpNum(), f.qpNum);
                assertEquals(f.b.qpNum(), f.srcQp);
                assertBytes(f.segA(), length, f.segB(), remote, length);
                remote += length + 7;
            }
            assertEquals(0, f.segB().get(JAVA_BYTE, remote - 7), "nothing past the last write's end");
            assertEquals(64, f.a.shortcutWrites, "each of the 64 writes took the shortcut");
            assertTrue(Fixture.staysEmpty(f.cqB), "an RDMA WRITE consumes no receive");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void unsignaledShortcutWritesCompleteSilentlyAndFreeTheirSlotsWithTheNextSignaledOne(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 64, 5);
            int rounds = 4 * f.a.sendSlots();
            for (int i = 0; i < rounds; i++) {
                int flags = i % 4 == 3 ? SendFlags.SIGNALED : 0;
                writeInline(f, i, flags, f.mrB.rkey(), f.addrB(64L * (i % 16)), 0, 64);
                if (flags != 0) {
                    f.poll(f.cqA);
                    assertEquals(i, f.wrId, "only the signaled write completes");
                    assertEquals(WcStatus.SUCCESS, f.status);
                }
            }
            assertEquals(rounds, f.a.shortcutWrites);
            assertEquals(f.a.sendSlots(), f.a.freeSendSlots(), "the polled signaled completions freed every slot");
            assertBytes(f.segA(), 0, f.segB(), 64 * 15, 64);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void writesTheShortcutDoesNotCoverCompleteThroughTheGeneralPass(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 256, 7);
            writeInline(f, 1, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(0), 0, 100);
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(100, f.byteLen);
            assertBytes(f.segA(), 0, f.segB(), 0, 100);
            assertEquals(mode == DeviceMode.INLINE ? 1 : 0, f.a.shortcutWrites,
                    "too long for a BlueFlame copy: THREAD mode's general pass reads the ring, INLINE mode's shortcut does");

            writeInline(f, 2, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(512), 0, 0);
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status, "zero bytes: no key check, as IBTA says");
            assertEquals(0, f.byteLen);

            f.a.wrStart();
            f.a.wrId(3).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(1024)).wrSetSge(f.mrA.lkey(), f.addrA(0), 64);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status, "an SGE write");
            assertBytes(f.segA(), 0, f.segB(), 1024, 64);

            f.a.wrStart();
            f.a.wrId(4).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(2048)).wrSetInlineData(f.segA(), 0, 8);
            f.a.wrId(5).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(2056)).wrSetInlineData(f.segA(), 8, 8);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(4, f.wrId, "two WQEs under one doorbell: no copy carries the batch");
            f.poll(f.cqA);
            assertEquals(5, f.wrId);
            assertBytes(f.segA(), 0, f.segB(), 2048, 16);
            assertEquals(mode == DeviceMode.INLINE ? 1 : 0, f.a.shortcutWrites, "none of the later ones took the shortcut");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void anRkeyWithoutRemoteWriteFailsAsInTheGeneralPassAndWritesNothing(DeviceMode mode) {
        try (Fixture f = new Fixture(mode, new QpInitAttr().maxInlineData(64), AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_READ, 64)) {
            fill(f.segA(), 0, 64, 11);
            writeInline(f, 1, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(0), 0, 64);
            f.poll(f.cqA);
            assertEquals(1, f.wrId);
            assertEquals(WcStatus.REM_ACCESS_ERR, f.status);
            assertEquals(0, f.a.shortcutWrites);
            assertEquals(-1, f.segB().asSlice(0, 64).mismatch(MemorySegment.ofArray(new byte[64])), "the target is untouched");
            assertEquals(QpState.ERR, f.b.state(), "the responder moved to ERR, as IBTA's class C error says");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aWritePastTheRegionsEndFailsAsInTheGeneralPassAndWritesNothing(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            MemoryRegion small = f.pd.regMr(f.bufB, 0, 4096, AccessFlags.ALL);
            fill(f.segA(), 0, 64, 13);
            writeInline(f, 2, SendFlags.SIGNALED, small.rkey(), f.addrB(4096 - 32), 0, 64);
            f.poll(f.cqA);
            assertEquals(2, f.wrId);
            assertEquals(WcStatus.REM_ACCESS_ERR, f.status);
            assertEquals(0, f.a.shortcutWrites);
            assertEquals(0, f.segB().get(JAVA_BYTE, 4096 - 32), "the bytes inside the region are untouched too");
            writeInline(f, 3, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(0), 0, 64);
            f.poll(f.cqA);
            assertEquals(3, f.wrId);
            assertEquals(WcStatus.WR_FLUSH_ERR, f.status, "the requester is in ERR: later WRs flush, none takes the shortcut");
            assertEquals(0, f.a.shortcutWrites);
            small.deregister();
        }
    }

    // ---- SEND ----

    private static void sendInline(SplitFixture f, long wrId, int flags, long srcOffset, int length) {
        f.a.wrStart();
        f.a.wrId(wrId).wrFlags(flags).wrSend().wrSetInlineData(f.segA(), srcOffset, length);
        f.a.wrComplete();
    }

    private static void assertGuard(MemorySegment s, long offset, int length, String what) {
        for (int i = 0; i < length; i++) {
            assertEquals(GUARD, s.get(JAVA_BYTE, offset + i), what + " byte " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void inlineSendsUpToTheScatterLimitLandAndCompleteThroughTheShortcut(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            int limit = f.recvCqB.maxInlineScatter();
            fill(f.segA(), 0, 4096, 17);
            for (int length = 1; length <= limit; length++) {
                f.segB().asSlice(0, 256).fill(GUARD);
                f.b.postRecv(2000 + length, f.mrB.lkey(), f.addrB(64), 128);
                sendInline(f, length, SendFlags.SIGNALED, length, length);
                Wc sent = Wc.poll(f.sendCqA);
                assertEquals(length, sent.wrId());
                assertEquals(WcStatus.SUCCESS, sent.status());
                assertEquals(WcOpcode.SEND, sent.opcode());
                CompletionQueue cq = f.recvCqB;
                for (int spins = 0; !cq.startPoll(); spins++) {
                    Fixture.idle(spins);
                }
                assertEquals(2000 + length, cq.wrId());
                assertEquals(WcStatus.SUCCESS, cq.status());
                assertEquals(WcOpcode.RECV, cq.opcode());
                assertEquals(length, cq.byteLen());
                assertEquals(0, cq.wcFlags());
                assertEquals(f.b.qpNum(), cq.qpNum());
                assertEquals(f.a.qpNum(), cq.srcQp());
                cq.endPoll();
                assertBytes(f.segA(), length, f.segB(), 64, length);
                assertGuard(f.segB(), 0, 64, "before the buffer");
                assertGuard(f.segB(), 64 + length, 192 - length, "after the payload");
            }
            int bfMax = DoorbellQueue.BLUEFLAME_BYTES - SendWqe.payloadOffset(WrOpcode.SEND) - SendWqe.INLINE_HEADER_BYTES;
            int shortcuts = mode == DeviceMode.THREAD ? bfMax : limit;
            assertEquals(shortcuts, f.a.shortcutSends,
                    "each send took the shortcut, in THREAD mode each that fits a BlueFlame copy (" + bfMax + " bytes)");

            f.b.postRecv(7, f.mrB.lkey(), f.addrB(512), 64);
            f.a.wrStart();
            f.a.wrId(8).wrFlags(SendFlags.SIGNALED | SendFlags.SOLICITED).wrSendImm(0x5eed).wrSetInlineData(f.segA(), 0, 24);
            f.a.wrComplete();
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            Wc wc = Wc.poll(f.recvCqB);
            assertEquals(7, wc.wrId());
            assertEquals(24, wc.byteLen());
            assertEquals(0x5eed, wc.immData());
            assertEquals(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_SOLICITED, wc.wcFlags());
            assertBytes(f.segA(), 0, f.segB(), 512, 24);
            assertEquals(shortcuts + 1, f.a.shortcutSends, "SEND_WITH_IMM took the shortcut too");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void unsignaledShortcutSendsConsumeTheirReceivesAndFreeSlotsWithTheNextSignaledOne(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            int rounds = 4 * f.a.sendSlots();
            for (int i = 0; i < rounds; i++) {
                f.segA().set(ValueLayout.JAVA_LONG, 0, i);
                f.b.postRecv(i, f.mrB.lkey(), f.addrB(0), 64);
                int flags = i % 4 == 3 ? SendFlags.SIGNALED : 0;
                sendInline(f, i, flags, 0, 64);
                Wc wc = Wc.poll(f.recvCqB);
                assertEquals(i, wc.wrId(), "receives complete in order");
                assertEquals(WcStatus.SUCCESS, wc.status());
                assertEquals(i, f.segB().get(ValueLayout.JAVA_LONG, 0));
                if (flags != 0) {
                    assertEquals(i, Wc.poll(f.sendCqA).wrId(), "only the signaled send completes");
                }
            }
            assertEquals(rounds, f.a.shortcutSends);
            assertEquals(f.a.sendSlots(), f.a.freeSendSlots(), "the polled signaled completions freed every slot");
            assertTrue(Fixture.staysEmpty(f.sendCqA));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendsTheShortcutDoesNotCoverCompleteThroughTheGeneralPass(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            fill(f.segA(), 0, 256, 19);
            int limit = f.recvCqB.maxInlineScatter();
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 256);
            sendInline(f, 1, SendFlags.SIGNALED, 0, limit + 1);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            assertEquals(limit + 1, Wc.poll(f.recvCqB).byteLen(), "past the scatter limit: straight to the buffer");
            assertBytes(f.segA(), 0, f.segB(), 0, limit + 1);

            f.b.postRecv(2, f.mrB.lkey(), f.addrB(512), 64);
            f.send(2, 48, false);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            assertEquals(48, Wc.poll(f.recvCqB).byteLen(), "an SGE send");
            assertBytes(f.segA(), 0, f.segB(), 512, 48);

            f.b.postRecv(3, f.mrB.lkey(), f.addrB(1024), 64);
            sendInline(f, 3, SendFlags.SIGNALED, 0, 0);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            Wc empty = Wc.poll(f.recvCqB);
            assertEquals(3, empty.wrId());
            assertEquals(0, empty.byteLen(), "a zero-byte send");

            f.b.postRecv(4, f.mrB.lkey(), f.addrB(1536), 64);
            f.b.postRecv(5, f.mrB.lkey(), f.addrB(1600), 64);
            f.a.wrStart();
            f.a.wrId(4).wrFlags(SendFlags.SIGNALED).wrSend().wrSetInlineData(f.segA(), 0, 16);
            f.a.wrId(5).wrFlags(SendFlags.SIGNALED).wrSend().wrSetInlineData(f.segA(), 16, 16);
            f.a.wrComplete();
            assertEquals(4, Wc.poll(f.recvCqB).wrId(), "two WQEs under one doorbell");
            assertEquals(5, Wc.poll(f.recvCqB).wrId());
            assertEquals(4, Wc.poll(f.sendCqA).wrId());
            assertEquals(5, Wc.poll(f.sendCqA).wrId());
            assertBytes(f.segA(), 0, f.segB(), 1536, 16);
            assertBytes(f.segA(), 16, f.segB(), 1600, 16);

            sendInline(f, 6, SendFlags.SIGNALED, 0, 32);
            assertTrue(Fixture.staysEmpty(f.sendCqA), "no receive posted: the send waits on RNR");
            f.b.postRecv(6, f.mrB.lkey(), f.addrB(2048), 64);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status(), "the receive's post kicked the RNR retry");
            assertEquals(6, Wc.poll(f.recvCqB).wrId());
            assertBytes(f.segA(), 0, f.segB(), 2048, 32);
            assertEquals(0, f.a.shortcutSends, "none of these took the shortcut");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void anInlineWriteWhoseDsClaimsMoreThanTheLargestWqeFailsAsInTheGeneralPassAndWritesNothing(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            int blocks = SendWqe.MAX_BASIC_BLOCKS + 2;
            SendWqe w = new SendWqe(f.a.sqRing);
            w.at(0).opcode(WrOpcode.RDMA_WRITE).flags(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_INLINE).wrId(7)
                    .ds(blocks * (SendWqe.BASIC_BLOCK_SIZE / SendWqe.OCTOWORD_SIZE)).qpn(f.a.qpNum());
            w.at(0).remoteAddress(f.addrB(0), f.mrB.rkey());
            w.at(0).inlineData(MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 0, 8);
            DoorbellRecord.publishSendProducerRelease(f.a.record, blocks);
            f.a.engine().doorbell(f.a);
            f.poll(f.cqA);
            assertEquals(7, f.wrId);
            assertEquals(WcStatus.LOC_QP_OP_ERR, f.status, "a WQE of " + blocks + " basic blocks");
            assertEquals(0L, f.segB().get(ValueLayout.JAVA_LONG, 0), "nothing written at the target");
            assertEquals(0, f.a.shortcutWrites, "the shortcut refused it");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aSendWhoseInlineDataWrapsTheRingsEndTakesTheShortcutOnlyFromACopy(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            fill(f.segA(), 0, 64, 23);
            int slots = f.a.sendSlots();
            long wrId = 0;
            while (f.a.sqTail % slots != slots - 1) {
                f.b.postRecv(wrId, f.mrB.lkey(), f.addrB(0), 64);
                sendInline(f, wrId, SendFlags.SIGNALED, 0, 8);
                assertEquals(wrId, Wc.poll(f.sendCqA).wrId());
                assertEquals(wrId++, Wc.poll(f.recvCqB).wrId());
            }
            long before = f.a.shortcutSends;
            assertEquals(wrId, before, "one-block sends took the shortcut");
            f.segB().asSlice(0, 128).fill(GUARD);
            f.b.postRecv(wrId, f.mrB.lkey(), f.addrB(0), 64);
            sendInline(f, wrId, SendFlags.SIGNALED, 0, 64);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            Wc wc = Wc.poll(f.recvCqB);
            assertEquals(wrId, wc.wrId());
            assertEquals(64, wc.byteLen());
            assertBytes(f.segA(), 0, f.segB(), 0, 64);
            assertGuard(f.segB(), 64, 64, "after the payload");
            assertEquals(mode == DeviceMode.THREAD ? before + 1 : before, f.a.shortcutSends,
                    "a WQE wrapping the ring's end: the doorbell's copy is whole, the ring's data is not");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void receivesTheResponderCannotTakeFailAsInTheGeneralPassAndWriteNothing(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            fill(f.segA(), 0, 64, 29);
            f.segB().asSlice(0, 256).fill(GUARD);
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 16);
            sendInline(f, 1, SendFlags.SIGNALED, 0, 32);
            Wc sent = Wc.poll(f.sendCqA);
            assertEquals(WcStatus.REM_INV_REQ_ERR, sent.status(), "32 bytes into a 16-byte receive");
            Wc recv = Wc.poll(f.recvCqB);
            assertEquals(1, recv.wrId());
            assertEquals(WcStatus.LOC_LEN_ERR, recv.status());
            assertGuard(f.segB(), 0, 256, "the receive buffer");
            assertEquals(QpState.ERR, f.b.state());
            assertEquals(0, f.a.shortcutSends);
        }
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            f.b.postRecv(2, f.mrB.lkey() ^ 0xff, f.addrB(0), 64);
            sendInline(f, 2, SendFlags.SIGNALED, 0, 32);
            assertEquals(WcStatus.REM_OP_ERR, Wc.poll(f.sendCqA).status(), "a receive SGE with a bad lkey");
            assertEquals(WcStatus.LOC_PROT_ERR, Wc.poll(f.recvCqB).status());
            sendInline(f, 3, SendFlags.SIGNALED, 0, 32);
            assertEquals(WcStatus.WR_FLUSH_ERR, Wc.poll(f.sendCqA).status(), "the requester is in ERR: later WRs flush");
            assertEquals(0, f.a.shortcutSends);
        }
        try (SplitFixture f = new SplitFixture(mode, Cqe.LARGE_SIZE)) {
            f.b.postRecv(3, f.mrB.lkey(), f.addrB(0), 64);
            f.b.modifyQp(new QpAttr().qpState(QpState.ERR));
            assertEquals(WcStatus.WR_FLUSH_ERR, Wc.poll(f.recvCqB).status());
            sendInline(f, 4, SendFlags.SIGNALED, 0, 32);
            assertEquals(WcStatus.RETRY_EXC_ERR, Wc.poll(f.sendCqA).status(), "the responder is in ERR");
            assertEquals(0, f.a.shortcutSends);
        }
    }
}
