package dev.qpair.hca;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scatter to CQE: a SEND of up to {@link CompletionQueue#maxInlineScatter()} bytes travels in the
 * receive CQE and the poll copies it into the receive buffers before it returns the completion;
 * one byte more goes straight to the buffers. Either way the bytes land exactly, and nothing else
 * in the buffer changes.
 */
@Timeout(60)
class ScatterToCqeTest {

    private static final byte GUARD = 0x55;

    static Stream<Arguments> modesAndCqeSizes() {
        return Stream.of(DeviceMode.values()).flatMap(m -> Stream.of(Arguments.of(m, Cqe.SIZE), Arguments.of(m, Cqe.LARGE_SIZE)));
    }

    private static void pattern(MemorySegment seg, int length, int seed) {
        for (int i = 0; i < length; i++) {
            seg.set(JAVA_BYTE, i, (byte) (seed + 7 * i + 1));
        }
    }

    private static void assertPattern(MemorySegment seg, long at, int length, int seed, int from) {
        for (int i = 0; i < length; i++) {
            assertEquals((byte) (seed + 7 * (from + i) + 1), seg.get(JAVA_BYTE, at + i), "payload byte " + (from + i));
        }
    }

    private static void assertGuard(MemorySegment seg, long at, int length, String what) {
        for (int i = 0; i < length; i++) {
            assertEquals(GUARD, seg.get(JAVA_BYTE, at + i), what + " byte " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("modesAndCqeSizes")
    void theLimitAndOnePastLandByteForByteAndOnlyTheScatteredOnesWaitForThePoll(DeviceMode mode, int cqeSize) {
        try (SplitFixture f = new SplitFixture(mode, cqeSize)) {
            int limit = f.recvCqB.maxInlineScatter();
            assertEquals(cqeSize == Cqe.SIZE ? 32 : 96, limit);
            int[] sizes = {1, limit - 1, limit, limit + 1, 2 * limit + 3};
            long wrId = 0;
            for (boolean inline : new boolean[] {false, true}) {
                for (int size : sizes) {
                    if (inline && size > f.a.maxInlineData()) {
                        continue;
                    }
                    wrId++;
                    int seed = (int) wrId * 13;
                    f.segB().asSlice(0, 512).fill(GUARD);
                    pattern(f.segA(), size, seed);
                    f.b.postRecv(1000 + wrId, f.mrB.lkey(), f.addrB(64), 256);
                    f.send(wrId, size, inline);
                    Wc sent = Wc.poll(f.sendCqA);
                    assertEquals(WcStatus.SUCCESS, sent.status(), "send of " + size);
                    if (size <= limit) {
                        assertGuard(f.segB(), 64, size, "before the poll, the buffer of a scattered receive is untouched:");
                    } else {
                        assertPattern(f.segB(), 64, size, seed, 0);
                    }
                    Wc wc = Wc.poll(f.recvCqB);
                    assertEquals(1000 + wrId, wc.wrId());
                    assertEquals(WcStatus.SUCCESS, wc.status());
                    assertEquals(WcOpcode.RECV, wc.opcode());
                    assertEquals(size, wc.byteLen());
                    assertEquals(0, wc.wcFlags(), "the transport's scatter flag is not the application's");
                    assertPattern(f.segB(), 64, size, seed, 0);
                    assertGuard(f.segB(), 0, 64, "before the buffer");
                    assertGuard(f.segB(), 64 + size, 512 - 64 - size, "after the payload");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("modesAndCqeSizes")
    void aMultiSgeReceiveGetsThePiecesInOrder(DeviceMode mode, int cqeSize) {
        try (SplitFixture f = new SplitFixture(mode, cqeSize)) {
            int limit = f.recvCqB.maxInlineScatter();
            for (int size : new int[] {limit, limit + 1}) {
                f.segB().asSlice(0, 2048).fill(GUARD);
                pattern(f.segA(), size, size);
                f.b.recvWr(7).recvAddSge(f.mrB.lkey(), f.addrB(100), 5).recvAddSge(f.mrB.lkey(), f.addrB(300), 0)
                        .recvAddSge(f.mrB.lkey(), f.addrB(500), 7).recvAddSge(f.mrB.lkey(), f.addrB(1000), 200);
                f.b.recvComplete();
                f.send(size, size, true);
                assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                Wc wc = Wc.poll(f.recvCqB);
                assertEquals(WcStatus.SUCCESS, wc.status());
                assertEquals(size, wc.byteLen());
                assertPattern(f.segB(), 100, 5, size, 0);
                assertPattern(f.segB(), 500, 7, size, 5);
                assertPattern(f.segB(), 1000, size - 12, size, 12);
                assertGuard(f.segB(), 105, 395, "between SGE 0 and SGE 2 (SGE 1 is empty)");
                assertGuard(f.segB(), 507, 493, "between SGE 2 and SGE 3");
                assertGuard(f.segB(), 1000 + size - 12, 1048 - size + 12, "after the payload");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("modesAndCqeSizes")
    void sendWithImmKeepsImmAndSolicitedAndAZeroByteSendScattersNothing(DeviceMode mode, int cqeSize) {
        try (SplitFixture f = new SplitFixture(mode, cqeSize)) {
            pattern(f.segA(), 16, 3);
            f.b.postRecv(1, f.mrB.lkey(), f.addrB(0), 64);
            f.b.postRecv(2, f.mrB.lkey(), f.addrB(64), 64);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED | SendFlags.SOLICITED).wrSendImm(0x600d).wrSetInlineData(f.segA(), 0, 16);
            f.a.wrId(2).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 0);
            f.a.wrComplete();
            Wc wc = Wc.poll(f.recvCqB);
            assertEquals(1, wc.wrId());
            assertEquals(16, wc.byteLen());
            assertEquals(0x600d, wc.immData());
            assertEquals(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_SOLICITED, wc.wcFlags());
            assertPattern(f.segB(), 0, 16, 3, 0);
            wc = Wc.poll(f.recvCqB);
            assertEquals(2, wc.wrId());
            assertEquals(WcStatus.SUCCESS, wc.status());
            assertEquals(0, wc.byteLen());
        }
    }

    @ParameterizedTest
    @MethodSource("modesAndCqeSizes")
    void aReceiveMrDeregisteredBeforeThePollCompletesWithLocProtErrAndIsNotWritten(DeviceMode mode, int cqeSize) {
        try (SplitFixture f = new SplitFixture(mode, cqeSize);
                AlignedBuffer extra = AlignedBuffer.allocate(4096, Alignment.PAGE)) {
            MemoryRegion mr = f.pd.regMr(extra, AccessFlags.ALL);
            extra.segment().fill(GUARD);
            pattern(f.segA(), 24, 9);
            f.b.postRecv(5, mr.lkey(), extra.segment().address(), 64);
            f.send(1, 24, true);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status(), "the device checked the receive's key and delivered");
            mr.deregister();
            Wc wc = Wc.poll(f.recvCqB);
            assertEquals(5, wc.wrId());
            assertEquals(WcStatus.LOC_PROT_ERR, wc.status(), "the poll cannot write through a deregistered key");
            assertGuard(extra.segment(), 0, 64, "the buffer");
        }
    }

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
    @MethodSource("modesAndCqeSizes")
    void scatteredPingPongAllocatesNothing(DeviceMode mode, int cqeSize) throws Throwable {
        try (SplitFixture f = new SplitFixture(mode, cqeSize)) {
            int size = f.recvCqB.maxInlineScatter();
            int lkeyB = f.mrB.lkey();
            long bytes = bytesAllocatedBy(20_000, i -> {
                f.b.postRecv(i, lkeyB, f.addrB(0), 128);
                f.send(i, size, true);
                pollOk(f.sendCqA);
                pollOk(f.recvCqB);
            });
            assertEquals(0, bytes);
        }
    }
}
