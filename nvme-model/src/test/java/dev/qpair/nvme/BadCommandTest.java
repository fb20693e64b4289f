package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Each malformed command completes with the status the NVMe base specification names for it. */
class BadCommandTest {

    private static final int READ = NvmeOpcodes.NVM_READ;

    private static int io(Rig rig, NvmeQpair qp, int opcode, int nsid, long prp1, long prp2, int cdw10, int cdw11, int cdw12) {
        Done done = new Done();
        assertTrue(qp.submitPrp(opcode, nsid, prp1, prp2, cdw10, cdw11, cdw12, 0, done, null));
        return done.next(qp);
    }

    private static void assertStatus(int expected, int actual) {
        assertEquals(NvmeStatus.describe(expected), NvmeStatus.describe(actual));
    }

    @Test
    void ioCommandsWithBadFieldsGetTheirStatus() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            long buf = rig.buffer(4096).address();
            assertStatus(NvmeStatus.SUCCESS, io(rig, qp, READ, 1, buf, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_OPCODE, io(rig, qp, 0x7F, 1, buf, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT, io(rig, qp, READ, 0, buf, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT, io(rig, qp, READ, 3, buf, 0, 0, 0, 0));
            assertStatus(NvmeStatus.LBA_OUT_OF_RANGE, io(rig, qp, READ, 1, buf, 0, 2048, 0, 0));
            assertStatus(NvmeStatus.LBA_OUT_OF_RANGE, io(rig, qp, READ, 1, buf, 0, 2047, 0, 1));
            assertStatus(NvmeStatus.SUCCESS, io(rig, qp, READ, 1, buf, 0, 2047, 0, 0));
            assertStatus(NvmeStatus.LBA_OUT_OF_RANGE, io(rig, qp, READ, 1, buf, 0, -1, -1, 1),
                    "slba 2^64 - 1 plus 2 blocks wraps to 0 without an overflow-safe check");
            assertStatus(NvmeStatus.LBA_OUT_OF_RANGE, io(rig, qp, NvmeOpcodes.NVM_WRITE_ZEROES, 1, 0, 0, 2040, 0, 8));
            assertStatus(NvmeStatus.INVALID_FIELD, io(rig, qp, READ, 1, buf, 0, 0, 0, 256), "257 x 512 B exceeds MDTS (128 KiB)");
            assertStatus(NvmeStatus.DATA_TRANSFER_ERROR, io(rig, qp, READ, 1, 0x1000, 0, 0, 0, 0));
        }
    }

    private static void assertStatus(int expected, int actual, String why) {
        assertEquals(NvmeStatus.describe(expected), NvmeStatus.describe(actual), why);
    }

    @Test
    void badPrpsGetInvalidPrpOffsetOrDataTransferError() throws Exception {
        try (Rig rig = Rig.inline(); Arena unmapped = Arena.ofConfined()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment data = rig.buffer(4 * 4096);
            long buf = data.address();
            MemorySegment list = rig.buffer(4096);
            assertStatus(NvmeStatus.PRP_OFFSET_INVALID, io(rig, qp, READ, 1, buf + 2, 0, 0, 0, 0), "PRP1 not dword aligned");
            assertStatus(NvmeStatus.PRP_OFFSET_INVALID, io(rig, qp, READ, 1, buf, buf + 4096 + 512, 0, 0, 15), "PRP2 data pointer with an offset");
            assertStatus(NvmeStatus.SUCCESS, io(rig, qp, READ, 1, buf, buf + 4096, 0, 0, 15));
            list.set(JAVA_LONG, 0, buf + 4096);
            list.set(JAVA_LONG, 8, buf + 8192 + 8);
            assertStatus(NvmeStatus.PRP_OFFSET_INVALID, io(rig, qp, READ, 1, buf, list.address(), 0, 0, 23), "PRP list entry with an offset");
            list.set(JAVA_LONG, 8, buf + 8192);
            assertStatus(NvmeStatus.SUCCESS, io(rig, qp, READ, 1, buf, list.address(), 0, 0, 23));
            MemorySegment stray = unmapped.allocate(4096, 4096);
            stray.set(JAVA_LONG, 0, buf + 4096);
            stray.set(JAVA_LONG, 8, buf + 8192);
            assertStatus(NvmeStatus.DATA_TRANSFER_ERROR, io(rig, qp, READ, 1, buf, stray.address(), 0, 0, 23), "PRP list not DMA-mapped");
            list.set(JAVA_LONG, 8, stray.address());
            data.fill((byte) 7);
            assertStatus(NvmeStatus.DATA_TRANSFER_ERROR, io(rig, qp, READ, 1, buf, list.address(), 0, 0, 23), "PRP entry not DMA-mapped");
            assertEquals(7, data.get(JAVA_BYTE, 0), "a failed transfer moves no byte");
            assertEquals(-1, stray.asSlice(16).mismatch(MemorySegment.ofArray(new byte[4096 - 16])), "unmapped memory untouched");
        }
    }

    @Test
    void sglDataBlocksAndLastSegmentsMoveDataAndBadOnesFail() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment out = rig.buffer(1024);
            for (int i = 0; i < 1024; i++) {
                out.set(JAVA_BYTE, i, (byte) (i * 13));
            }
            Done done = new Done();
            assertTrue(qp.write(1, out, 40, 2, done, null));
            done.await(qp, 1);
            MemorySegment a = rig.buffer(512);
            MemorySegment b = rig.buffer(512);
            MemorySegment seg = rig.buffer(64);
            NvmeSqe.sglDescriptor(seg, 0, a.address(), 512, NvmeSqe.SGL_TYPE_DATA_BLOCK);
            NvmeSqe.sglDescriptor(seg, 16, b.address(), 512, NvmeSqe.SGL_TYPE_DATA_BLOCK);
            assertStatus(NvmeStatus.SUCCESS, sgl(qp, seg.address(), 32, NvmeSqe.SGL_TYPE_LAST_SEGMENT, 40, 1));
            assertEquals(-1, a.mismatch(out.asSlice(0, 512)));
            assertEquals(-1, b.mismatch(out.asSlice(512, 512)));
            assertStatus(NvmeStatus.SUCCESS, sgl(qp, a.address(), 512, NvmeSqe.SGL_TYPE_DATA_BLOCK, 41, 0));
            assertEquals(-1, a.mismatch(out.asSlice(512, 512)));
            assertStatus(NvmeStatus.DATA_SGL_LENGTH_INVALID, sgl(qp, a.address(), 256, NvmeSqe.SGL_TYPE_DATA_BLOCK, 40, 0));
            assertStatus(NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID, sgl(qp, a.address(), 512, 0x5, 40, 0));
            assertStatus(NvmeStatus.INVALID_SGL_SEGMENT_DESCRIPTOR, sgl(qp, seg.address(), 24, NvmeSqe.SGL_TYPE_LAST_SEGMENT, 40, 1));
            NvmeSqe.sglDescriptor(seg, 0, seg.address(), 16, NvmeSqe.SGL_TYPE_SEGMENT);
            assertStatus(NvmeStatus.INVALID_NUMBER_OF_SGL_DESCRIPTORS, sgl(qp, seg.address(), 16, NvmeSqe.SGL_TYPE_SEGMENT, 40, 1),
                    "a segment that points at itself ends at the descriptor bound");
        }
    }

    private static int sgl(NvmeQpair qp, long address, int length, int type, long slba, int nlb0) {
        Done done = new Done();
        assertTrue(qp.submitPrp(READ, 1, 0, 0, (int) slba, 0, nlb0, 0, done, null));
        MemorySegment sq = qp.submissionQueue();
        long e = qp.lastSqe();
        NvmeSqe.fusePsdt(sq, e, 0, NvmeSqe.PSDT_SGL_MPTR_CONTIGUOUS);
        NvmeSqe.sgl1(sq, e, address, length, type);
        return done.next(qp);
    }

    @Test
    void adminCommandsCheckQueueIdsSizesAndSequence() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeCtrlr c = rig.ctrlr;
            MemorySegment q = rig.buffer(4096);
            int create = NvmeOpcodes.ADMIN_CREATE_IO_CQ;
            assertStatus(NvmeStatus.INVALID_QUEUE_IDENTIFIER, c.adminCommand(create, 0, q, 0 | 3 << 16, 1, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_IDENTIFIER, c.adminCommand(create, 0, q, 5 | 3 << 16, 1, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_SIZE, c.adminCommand(create, 0, q, 1, 1, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_SIZE, c.adminCommand(create, 0, q, 1 | 1024 << 16, 1, 0, 0));
            assertStatus(NvmeStatus.INVALID_FIELD, c.adminCommand(create, 0, q, 1 | 3 << 16, 0, 0, 0), "PC = 0");
            assertStatus(NvmeStatus.INVALID_INTERRUPT_VECTOR, c.adminCommand(create, 0, q, 1 | 3 << 16, 1 | 9 << 16, 0, 0));
            assertStatus(NvmeStatus.PRP_OFFSET_INVALID, c.adminCommand(create, 0, q.asSlice(64), 1 | 3 << 16, 1, 0, 0));
            assertStatus(NvmeStatus.SUCCESS, c.adminCommand(create, 0, q, 1 | 3 << 16, 1, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_IDENTIFIER, c.adminCommand(create, 0, rig.buffer(4096), 1 | 3 << 16, 1, 0, 0), "CQ 1 exists");
            MemorySegment sqMem = rig.buffer(4096);
            int createSq = NvmeOpcodes.ADMIN_CREATE_IO_SQ;
            assertStatus(NvmeStatus.COMPLETION_QUEUE_INVALID, c.adminCommand(createSq, 0, sqMem, 1 | 3 << 16, 1 | 2 << 16, 0, 0));
            assertStatus(NvmeStatus.COMPLETION_QUEUE_INVALID, c.adminCommand(createSq, 0, sqMem, 1 | 3 << 16, 1, 0, 0), "CQ 0 is the admin CQ");
            assertStatus(NvmeStatus.SUCCESS, c.adminCommand(createSq, 0, sqMem, 1 | 3 << 16, 1 | 1 << 16, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_DELETION, c.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_CQ, 0, null, 1, 0, 0, 0));
            assertStatus(NvmeStatus.COMMAND_SEQUENCE_ERROR, c.adminCommand(NvmeOpcodes.ADMIN_SET_FEATURES, 0, null,
                    NvmeOpcodes.FID_NUMBER_OF_QUEUES, 0, 0, 0), "Number of Queues after I/O queues exist");
            assertStatus(NvmeStatus.SUCCESS, c.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_SQ, 0, null, 1, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_IDENTIFIER, c.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_SQ, 0, null, 1, 0, 0, 0));
            assertStatus(NvmeStatus.SUCCESS, c.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_CQ, 0, null, 1, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_QUEUE_IDENTIFIER, c.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_CQ, 0, null, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_OPCODE, c.adminCommand(0x7E, 0, null, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_FIELD, c.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0, q, 0x55, 0, 0, 0), "unknown CNS");
            assertStatus(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT, c.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 9, q, 0, 0, 0, 0));
            assertStatus(NvmeStatus.INVALID_FIELD, c.adminCommand(NvmeOpcodes.ADMIN_GET_FEATURES, 0, null, 0x7D, 0, 0, 0));
            assertStatus(NvmeStatus.SUCCESS, c.adminCommand(NvmeOpcodes.ADMIN_ABORT, 0, null, 0, 0, 0, 0));
            assertEquals(1, c.lastAdminDw0() & 1, "Abort reports 'command not aborted'");
            assertStatus(NvmeStatus.INVALID_LOG_PAGE, c.adminCommand(NvmeOpcodes.ADMIN_GET_LOG_PAGE, 0, q, 0x33 | 15 << 16, 0, 0, 0));
        }
    }

    @Test
    void theSmartLogCountsCompletedReadsAndWrites() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(8 * 4096);
            Done done = new Done();
            for (int i = 0; i < 5; i++) {
                assertTrue(qp.write(2, buf, 8L * i, 8, done, null));
            }
            assertTrue(qp.read(2, buf, 0, 8, done, null));
            assertTrue(qp.submitPrp(READ, 2, 0x1000, 0, 0, 0, 0, 0, done, null));
            done.await(qp, 7);
            MemorySegment log = rig.buffer(4096);
            assertStatus(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_GET_LOG_PAGE, 0, log,
                    NvmeOpcodes.LID_SMART_HEALTH | (512 / 4 - 1) << 16, 0, 0, 0));
            assertEquals(1, log.get(JAVA_LONG, 64), "host read commands: the failed read does not count");
            assertEquals(5, log.get(JAVA_LONG, 80), "host write commands");
            assertEquals(1, log.get(JAVA_LONG, 32), "data units read: 64 x 512 B rounds up to 1 thousand");
            assertEquals(1, log.get(JAVA_LONG, 48), "data units written: 320 x 512 B rounds up to 1 thousand");
            assertEquals(100, log.get(JAVA_BYTE, 3), "available spare");
            assertEquals(303, log.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 1), "composite temperature in kelvin");
            assertStatus(NvmeStatus.INVALID_FIELD, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_GET_LOG_PAGE, 1, log,
                    NvmeOpcodes.LID_SMART_HEALTH | (512 / 4 - 1) << 16, 0, 0, 0), "no per-namespace SMART log");
        }
    }

    @Test
    void theErrorLogRecordsFailedCommandsNewestFirst() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            long buf = rig.buffer(4096).address();
            io(rig, qp, READ, 1, buf, 0, 5000, 0, 0);
            io(rig, qp, 0x7F, 1, buf, 0, 0, 0, 0);
            MemorySegment log = rig.buffer(4096);
            assertStatus(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_GET_LOG_PAGE, 0, log,
                    NvmeOpcodes.LID_ERROR_INFORMATION | (2 * 64 / 4 - 1) << 16, 0, 0, 0));
            assertEquals(2, log.get(JAVA_LONG, 0), "error count of the newest entry");
            assertEquals(qp.qid(), log.get(JAVA_SHORT, 8));
            assertEquals(NvmeStatus.INVALID_OPCODE, (log.get(JAVA_SHORT, 12) & 0xFFFF) >>> 1);
            assertEquals(1, log.get(JAVA_LONG, 64));
            assertEquals(NvmeStatus.LBA_OUT_OF_RANGE, (log.get(JAVA_SHORT, 64 + 12) & 0xFFFF) >>> 1);
            assertEquals(5000, log.get(JAVA_LONG, 64 + 16), "LBA of the out-of-range command");
            assertEquals(1, log.get(JAVA_INT, 64 + 24), "NSID");
            assertEquals(0, log.get(JAVA_LONG, 128), "only the requested 128 bytes were transferred");
        }
    }
}
