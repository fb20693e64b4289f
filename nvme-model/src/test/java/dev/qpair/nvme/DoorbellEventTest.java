package dev.qpair.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.Mmio;
import dev.qpair.rings.nvme.NvmeQueues;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Invalid doorbell writes are ignored and reported through Asynchronous Event Requests. */
class DoorbellEventTest {

    @Test
    void aTailPastTheQueueSizeIsIgnoredAndReportedAsInvalidDoorbellValue() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            Done events = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, events, "aer"));
            rig.ctrlr.adminQpair().processCompletions(0);
            assertEquals(0, events.count, "an AER stays outstanding until an event happens");
            Mmio.writel(rig.device.registers(), NvmeQueues.sqTailDoorbell(qp.qid(), 0), 9);
            rig.device.process();
            assertEquals(NvmeStatus.SUCCESS, events.next(rig.ctrlr.adminQpair()));
            assertEquals(NvmeOpcodes.AER_TYPE_ERROR, events.dw0 & 7);
            assertEquals(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE, (events.dw0 >>> 8) & 0xFF);
            assertEquals(NvmeOpcodes.LID_ERROR_INFORMATION, (events.dw0 >>> 16) & 0xFF);
            assertEquals(1, rig.device.invalidDoorbellWrites());
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            assertTrue(qp.read(1, buf, 0, 1, done, null));
            done.await(qp, 1);
            assertEquals(NvmeStatus.SUCCESS, done.status, "a valid doorbell afterwards works");
        }
    }

    @Test
    void aDoorbellOfANonexistentQueueIsReportedAsInvalidDoorbellRegister() throws Exception {
        try (Rig rig = Rig.inline()) {
            Done events = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, events, null));
            Mmio.writel(rig.device.registers(), NvmeQueues.sqTailDoorbell(3, 0), 1);
            for (int i = 0; i < 300 && events.count == 0; i++) {
                rig.device.process();
                rig.ctrlr.adminQpair().processCompletions(0);
            }
            assertEquals(1, events.count);
            assertEquals(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_REGISTER, (events.dw0 >>> 8) & 0xFF);
            assertTrue(rig.device.invalidDoorbellWrites() >= 1);
        }
    }

    @Test
    void aCqHeadPastTheQueueIsIgnoredAndReportedWhenTheControllerNeedsIt() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            Done events = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, events, null));
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            for (int i = 0; i < 3; i++) {
                assertTrue(qp.read(1, buf, i, 1, done, null));
            }
            qp.ringDoorbell();
            MemorySegment bar = rig.device.registers();
            MemorySegment sq = qp.submissionQueue();
            MemorySegment.copy(sq, 0, sq, 3 * 64, 64);
            Mmio.writel(bar, NvmeQueues.cqHeadDoorbell(qp.qid(), 0), 7);
            Mmio.writel(bar, NvmeQueues.sqTailDoorbell(qp.qid(), 0), 0);
            rig.device.process();
            assertEquals(NvmeStatus.SUCCESS, events.next(rig.ctrlr.adminQpair()));
            assertEquals(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE, (events.dw0 >>> 8) & 0xFF);
            assertEquals(0, done.count, "the three CQEs wait for the host; the fourth command waits for a CQ slot");
            assertEquals(3, qp.processCompletions(0), "a valid CQ head afterwards frees the slots");
        }
    }

    @Test
    void aCqHeadPastTheQueueIsReportedAtOnceWhileTheCqIsEmpty() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            Done events = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, events, null));
            rig.ctrlr.adminQpair().processCompletions(0);
            Mmio.writel(rig.device.registers(), NvmeQueues.cqHeadDoorbell(qp.qid(), 0), 4);
            rig.device.process();
            assertEquals(1, rig.device.invalidDoorbellWrites(), "one pass after the write, with no CQE posted");
            assertEquals(NvmeStatus.SUCCESS, events.next(rig.ctrlr.adminQpair()));
            assertEquals(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE, (events.dw0 >>> 8) & 0xFF);
            Mmio.writel(rig.device.registers(), NvmeQueues.cqHeadDoorbell(qp.qid(), 0), 0);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            for (int i = 0; i < 6; i++) {
                assertTrue(qp.read(1, buf, i, 1, done, null));
                done.await(qp, i + 1);
            }
            assertEquals(0, done.failures, "the queue works on past the rejected value, across a wrap");
        }
    }

    @Test
    void aCqHeadPastTheQueueOfAnIdleQueueIsFoundByTheControllerThread() throws Exception {
        try (Rig rig = Rig.threaded()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            Done events = new Done();
            assertTrue(rig.ctrlr.adminQpair().submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, events, null));
            Mmio.writel(rig.device.registers(), NvmeQueues.cqHeadDoorbell(qp.qid(), 0), 0xFFFF);
            assertEquals(NvmeStatus.SUCCESS, events.next(rig.ctrlr.adminQpair()));
            assertEquals(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE, (events.dw0 >>> 8) & 0xFF);
            assertEquals(1, rig.device.invalidDoorbellWrites());
        }
    }

    @Test
    void aFifthAsyncEventRequestExceedsTheLimit() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair admin = rig.ctrlr.adminQpair();
            Done done = new Done();
            for (int i = 0; i < 5; i++) {
                assertTrue(admin.submitRaw(NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST, 0, null, 0, 0, 0, 0, done, null));
            }
            assertEquals(NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED, done.next(admin));
            assertEquals(1, done.count);
        }
    }
}
