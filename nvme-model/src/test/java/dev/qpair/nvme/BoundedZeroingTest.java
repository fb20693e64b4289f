package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.nvme.controller.Namespace;
import dev.qpair.nvme.controller.NvmeDevice;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Write Zeroes and deallocate bigger than one pass's budget complete over several passes, in order. */
class BoundedZeroingTest {

    private static final int BLOCKS = 16384;
    private static final long NS_BYTES = BLOCKS * 512L;

    @Test
    void aWholeNamespaceWriteZeroesSpansPassesWhileOtherQueuesAreServed() {
        try (Rig rig = Rig.of(true, Namespace.inMemory(BLOCKS, 512))) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            NvmeQpair other = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(512);
            fill(rig, qp, buf, 0, 8000, BLOCKS - 1);
            List<Object> order = new ArrayList<>();
            Done done = new Done();
            NvmeCallback track = (arg, cpl) -> {
                order.add(arg);
                done.onCompletion(arg, cpl);
            };
            MemorySegment behind = rig.buffer(512);
            assertTrue(qp.writeZeroes(1, 0, BLOCKS, track, "zeroes"));
            assertTrue(qp.read(1, behind, 0, 1, track, "read behind"));
            qp.processCompletions(0);
            assertEquals(0, done.count, "one pass zeroes " + NvmeDevice.ZERO_BYTES_PER_PASS + " bytes, not " + NS_BYTES);

            Done meanwhile = new Done();
            assertTrue(other.read(1, buf, 8000, 1, meanwhile, null));
            meanwhile.await(other, 1);
            assertEquals(NvmeStatus.SUCCESS, meanwhile.status);
            assertEquals(0, done.count, "another queue's read completed while the Write Zeroes went on");

            int polls = 0;
            while (done.count < 2) {
                qp.processCompletions(0);
                polls++;
                assertTrue(polls < 100_000, "the Write Zeroes finishes");
            }
            assertTrue(polls >= NS_BYTES / NvmeDevice.ZERO_BYTES_PER_PASS - 4, "it took passes in proportion to its size: " + polls);
            assertEquals(List.of("zeroes", "read behind"), order, "the SQ fetched nothing behind it until it completed");
            assertEquals(0, done.failures);
            assertEquals(0L, behind.get(JAVA_LONG, 0), "the read behind it sees zeroes");
            assertZero(rig, qp, buf, 0, 8000, BLOCKS - 1);
        }
    }

    @Test
    void aDeallocateOfTwoLargeRangesSpansPassesAndZeroesBoth() {
        try (Rig rig = Rig.of(true, Namespace.inMemory(BLOCKS, 512))) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(512);
            fill(rig, qp, buf, 10, 5000, 9000, 15000);
            MemorySegment ranges = rig.buffer(48);
            range(ranges, 0, 0, 6000);
            range(ranges, 1, 8000, 0);
            range(ranges, 2, 8500, 7000);
            Done done = new Done();
            assertTrue(qp.deallocate(1, ranges, done, null));
            qp.processCompletions(0);
            assertEquals(0, done.count, "13000 blocks do not fit one pass");
            done.await(qp, 1);
            assertEquals(NvmeStatus.SUCCESS, done.status);
            assertZero(rig, qp, buf, 10, 5000, 9000, 15000);
        }
    }

    @Test
    void deletingTheSqDuringAWriteZeroesCompletesItOnceAsAborted() {
        try (Rig rig = Rig.of(true, Namespace.inMemory(BLOCKS, 512))) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            Done done = new Done();
            assertTrue(qp.writeZeroes(1, 0, BLOCKS, done, null));
            qp.processCompletions(0);
            assertEquals(0, done.count);
            Done deleted = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_DELETE_IO_SQ, 0, null, qp.qid(), 0, 0, 0, deleted, null));
            assertEquals(NvmeStatus.SUCCESS, deleted.next(rig.ctrlr.adminQpair()));
            assertEquals(1, qp.processCompletions(0));
            assertEquals(NvmeStatus.ABORTED_SQ_DELETION, done.status);
            for (int i = 0; i < 10; i++) {
                rig.device.process();
            }
            assertEquals(0, qp.processCompletions(0), "nothing more for it");
            assertEquals(1, done.count);
        }
    }

    @Test
    void aSmallWriteZeroesCompletesInItsOwnPass() {
        try (Rig rig = Rig.of(true, Namespace.inMemory(BLOCKS, 512))) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(512);
            fill(rig, qp, buf, 3);
            Done done = new Done();
            assertTrue(qp.writeZeroes(1, 0, 8, done, null));
            assertEquals(1, qp.processCompletions(0));
            assertZero(rig, qp, buf, 3);
        }
    }

    private static void range(MemorySegment ranges, int i, long slba, int nlb) {
        ranges.set(java.lang.foreign.ValueLayout.JAVA_INT, i * 16L + 4, nlb);
        ranges.set(JAVA_LONG, i * 16L + 8, slba);
    }

    private static void fill(Rig rig, NvmeQpair qp, MemorySegment buf, long... lbas) {
        buf.fill((byte) 0x77);
        Done done = new Done();
        for (long lba : lbas) {
            assertTrue(qp.write(1, buf, lba, 1, done, null));
            done.await(qp, done.count + 1);
        }
        assertEquals(0, done.failures);
    }

    private static void assertZero(Rig rig, NvmeQpair qp, MemorySegment buf, long... lbas) {
        Done done = new Done();
        for (long lba : lbas) {
            buf.fill((byte) 0x55);
            assertTrue(qp.read(1, buf, lba, 1, done, null));
            done.await(qp, done.count + 1);
            for (long at = 0; at < 512; at += 8) {
                assertEquals(0L, buf.get(JAVA_LONG, at), "LBA " + lba + " byte " + at);
            }
        }
        assertEquals(0, done.failures);
    }
}
