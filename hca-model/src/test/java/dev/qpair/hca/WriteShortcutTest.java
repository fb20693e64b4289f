package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's shortcut for an inline RDMA_WRITE carried whole by a doorbell's BlueFlame copy
 * (THREAD mode): it lands and completes exactly as a general pass would, and every case it does not
 * cover reaches the general pass untouched, with the general pass's status.
 */
@Timeout(30)
class WriteShortcutTest {

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

    @Test
    void inlineWritesOfEverySizeLandAndCompleteThroughTheShortcut() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
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

    @Test
    void unsignaledShortcutWritesCompleteSilentlyAndFreeTheirSlotsWithTheNextSignaledOne() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
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

    @Test
    void writesTheShortcutDoesNotCoverCompleteThroughTheGeneralPass() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
            fill(f.segA(), 0, 256, 7);
            writeInline(f, 1, SendFlags.SIGNALED, f.mrB.rkey(), f.addrB(0), 0, 100);
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status, "too long for a BlueFlame copy: the ring's WQE");
            assertEquals(100, f.byteLen);
            assertBytes(f.segA(), 0, f.segB(), 0, 100);

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
            assertEquals(0, f.a.shortcutWrites, "none of these took the shortcut");
        }
    }

    @Test
    void anRkeyWithoutRemoteWriteFailsAsInTheGeneralPassAndWritesNothing() {
        try (Fixture f = new Fixture(DeviceMode.THREAD, new QpInitAttr().maxInlineData(64), AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_READ, 64)) {
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

    @Test
    void aWritePastTheRegionsEndFailsAsInTheGeneralPassAndWritesNothing() {
        try (Fixture f = new Fixture(DeviceMode.THREAD)) {
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
}
