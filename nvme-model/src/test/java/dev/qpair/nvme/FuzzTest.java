package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.nvme.controller.Namespace;
import dev.qpair.rings.nvme.NvmeCqe;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random SQEs and doorbell values into a live controller thread for about a second: it keeps
 * answering, completes the garbage with error statuses, and writes nothing outside mapped memory
 * (guard pages around the mapped buffer and an unmapped canary keep their bytes).
 */
class FuzzTest {

    private static final int OPCODES[] = {0x00, 0x01, 0x02, 0x08, 0x09, 0x04, 0x7F, 0xFF};
    private static final byte GUARD = (byte) 0xA5;
    private static final byte CANARY = (byte) 0x5A;

    @Test
    void randomCommandsAndDoorbellsNeverEscapeTheMappedBuffers() throws Exception {
        SplittableRandom random = new SplittableRandom(0x5EED);
        try (Arena arena = Arena.ofShared();
                Rig rig = Rig.of(false, Namespace.inMemory(4096, 512), Namespace.inMemory(64, 4096))) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(16);
            MemorySegment whole = arena.allocate(3 * 4096 + 64 * 1024, 4096);
            MemorySegment lowGuard = whole.asSlice(0, 4096);
            MemorySegment mapped = whole.asSlice(4096, 64 * 1024 + 4096);
            MemorySegment highGuard = whole.asSlice(4096 + 64 * 1024 + 4096);
            MemorySegment canary = arena.allocate(64 * 1024, 4096);
            lowGuard.fill(GUARD);
            highGuard.fill(GUARD);
            canary.fill(CANARY);
            rig.dma.map(mapped);
            long[] addresses = {
                mapped.address(), mapped.address() + 4096, mapped.address() + mapped.byteSize() - 512,
                mapped.address() + mapped.byteSize() - 8, mapped.address() - 8, mapped.address() + 2,
                lowGuard.address(), highGuard.address(), canary.address(), canary.address() + 4096, 0, -4096};
            // PRP lists inside the mapped buffer, pointing at any of the addresses above.
            for (int i = 0; i < 512; i++) {
                mapped.set(JAVA_LONG, 8L * i, addresses[random.nextInt(addresses.length)] & ~4095L);
            }
            MemorySegment sq = qp.submissionQueue();
            MemorySegment cq = qp.completionQueue();
            MemorySegment bar = rig.device.registers();
            int size = qp.entries();
            int cqHead = 0;
            int phase = 1;
            int errors = 0;
            int successes = 0;
            int internalErrors = 0;
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < size; i++) {
                    long e = NvmeSqe.offset(i);
                    for (int b = 0; b < 64; b += 8) {
                        sq.set(JAVA_LONG, e + b, random.nextLong());
                    }
                    NvmeSqe.opcode(sq, e, OPCODES[random.nextInt(OPCODES.length)]);
                    NvmeSqe.nsid(sq, e, random.nextInt(4));
                    if (random.nextInt(4) != 0) {
                        NvmeSqe.fusePsdt(sq, e, 0, random.nextInt(8) == 0 ? 1 : 0);
                    }
                    NvmeSqe.prp1(sq, e, addresses[random.nextInt(addresses.length)] + (random.nextInt(4) == 0 ? random.nextInt(4096) : 0));
                    NvmeSqe.prp2(sq, e, random.nextBoolean() ? mapped.address() + 8L * random.nextInt(512)
                            : addresses[random.nextInt(addresses.length)]);
                    NvmeSqe.cdw10(sq, e, random.nextInt(8192));
                    NvmeSqe.cdw11(sq, e, random.nextInt(16) == 0 ? random.nextInt() : 0);
                    NvmeSqe.cdw12(sq, e, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(300));
                }
                int tail = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(size);
                Mmio.writel(bar, NvmeQueues.sqTailDoorbell(qp.qid(), 0), tail);
                if (random.nextInt(16) == 0) {
                    Mmio.writel(bar, NvmeQueues.sqTailDoorbell(1 + random.nextInt(8), 0), random.nextInt());
                }
                for (int spin = 0; spin < 200; spin++) {
                    long high = Barriers.readOnceLong(cq, NvmeCqe.offset(cqHead) + NvmeCqe.HIGH_OFFSET); // READ_ONCE(): phase word
                    if (NvmeCqe.phaseOf(high) != phase) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (NvmeStatus.isSuccess(NvmeCqe.statusOf(high))) {
                        successes++;
                    } else if (NvmeStatus.code(NvmeCqe.statusOf(high)) == NvmeStatus.code(NvmeStatus.INTERNAL_ERROR)) {
                        internalErrors++;
                    } else {
                        errors++;
                    }
                    cqHead = NvmeQueues.next(cqHead, size);
                    if (cqHead == 0) {
                        phase ^= 1;
                    }
                }
                int head = random.nextInt(32) == 0 ? random.nextInt() : cqHead;
                Mmio.writel(bar, NvmeQueues.cqHeadDoorbell(qp.qid(), 0), head);
            }
            Mmio.writel(bar, NvmeQueues.cqHeadDoorbell(qp.qid(), 0), cqHead);
            assertNull(rig.device.fatalError(), "the controller never failed on host input");
            assertTrue(errors > 100, "garbage completed with error statuses: " + errors);
            assertTrue(successes > 10, "some random commands were valid: " + successes);
            assertEquals(0, internalErrors, "every bad command got a specific status, not Internal Error");
            assertTrue(rig.device.invalidDoorbellWrites() > 0, "invalid doorbell values were seen");
            for (long i = 0; i < 4096; i++) {
                assertEquals(GUARD, lowGuard.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "low guard byte " + i);
            }
            assertEquals(-1, highGuard.mismatch(filled(highGuard.byteSize(), GUARD)), "high guard page untouched");
            assertEquals(-1, canary.mismatch(filled(canary.byteSize(), CANARY)), "unmapped canary untouched");
            MemorySegment id = rig.buffer(4096);
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0, id, NvmeOpcodes.CNS_CONTROLLER, 0, 0, 0),
                    "the controller still answers its admin queue");
        }
    }

    @Test
    void randomAdminCommandsNeverEscapeTheMappedBuffers() throws Exception {
        SplittableRandom random = new SplittableRandom(0xAD);
        int[] opcodes = {0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x7C, 0x03, 0x7F, 0xC1};
        try (Arena arena = Arena.ofShared(); Rig rig = Rig.threaded()) {
            NvmeQpair admin = rig.ctrlr.adminQpair();
            MemorySegment whole = arena.allocate(2 * 4096 + 32 * 4096, 4096);
            MemorySegment lowGuard = whole.asSlice(0, 4096);
            MemorySegment mapped = whole.asSlice(4096, 32 * 4096);
            MemorySegment highGuard = whole.asSlice(4096 + 32 * 4096);
            MemorySegment canary = arena.allocate(16 * 4096, 4096);
            lowGuard.fill(GUARD);
            highGuard.fill(GUARD);
            canary.fill(CANARY);
            rig.dma.map(mapped);
            long[] addresses = {mapped.address(), mapped.address() + 4096 * random.nextInt(1, 31), mapped.address() + 31 * 4096,
                mapped.address() + 8, lowGuard.address(), highGuard.address(), canary.address(), 0, -4096};
            Done done = new Done();
            long deadline = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < deadline) {
                int opcode = opcodes[random.nextInt(opcodes.length)];
                int cdw10 = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(1, 6) | random.nextInt(64) << 16;
                int cdw11 = random.nextInt(4) == 0 ? random.nextInt() : 1 | random.nextInt(6) << 16;
                assertTrue(admin.submitPrp(opcode, random.nextInt(4), addresses[random.nextInt(addresses.length)],
                        addresses[random.nextInt(addresses.length)], cdw10, cdw11, random.nextInt(), random.nextInt(), done, null));
                done.next(admin);
            }
            assertNull(rig.device.fatalError(), "the controller never failed on host input");
            assertTrue(done.failures > 10 && done.failures < done.count, done.failures + " of " + done.count + " failed");
            assertEquals(-1, lowGuard.mismatch(filled(4096, GUARD)), "low guard page untouched");
            assertEquals(-1, highGuard.mismatch(filled(4096, GUARD)), "high guard page untouched");
            assertEquals(-1, canary.mismatch(filled(canary.byteSize(), CANARY)), "unmapped canary untouched");
            MemorySegment id = rig.buffer(4096);
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0, id, NvmeOpcodes.CNS_CONTROLLER, 0, 0, 0));
        }
    }

    private static MemorySegment filled(long bytes, byte value) {
        byte[] array = new byte[(int) bytes];
        java.util.Arrays.fill(array, value);
        return MemorySegment.ofArray(array);
    }
}
