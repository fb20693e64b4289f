package dev.qpair.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.Mmio;
import dev.qpair.nvme.controller.NvmeDevice;
import dev.qpair.rings.nvme.DoorbellSummary;
import dev.qpair.rings.nvme.NvmeQueues;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The controller visits the queues with new doorbells, not every created queue. */
class DoorbellSummaryTest {

    @Test
    void sixtyFourIdleQueuesAddOnlyTheirShareOfTheSweep() {
        double none = visitsPerIo(0);
        double many = visitsPerIo(64);
        assertTrue(none >= 1 && none < 1.1, "one active queue: one visit per I/O, was " + none);
        double sweepShare = (64 + 2.0) / NvmeDevice.SWEEP_PASSES;
        assertTrue(many <= none + sweepShare + 0.01,
                "64 idle queues may add only the sweep's " + sweepShare + " visits per pass, not 64: " + none + " vs " + many);
    }

    /** Submission queue visits per 512 B read on one busy qpair next to {@code idle} idle ones (inline: one pass per I/O). */
    private static double visitsPerIo(int idle) {
        try (Rig rig = Rig.withQueues(true, idle + 1)) {
            for (int i = 0; i < idle; i++) {
                rig.ctrlr.allocIoQpair(4);
            }
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            int warmup = 2 * NvmeDevice.PARK_AFTER_IDLE_VISITS;
            reads(qp, buf, done, warmup);
            for (int qid = 0; qid <= idle; qid++) {
                assertFalse(DoorbellSummary.isSet(rig.device.registers(), qid), "queue " + qid + " is parked after idling");
            }
            long before = rig.device.queueVisits();
            int n = 4096;
            reads(qp, buf, done, n);
            assertEquals(0, done.failures);
            return (double) (rig.device.queueVisits() - before) / n;
        }
    }

    private static void reads(NvmeQpair qp, MemorySegment buf, Done done, int n) {
        for (int i = 0; i < n; i++) {
            int expected = done.count + 1;
            assertTrue(qp.read(1, buf, i & 1023, 1, done, null));
            done.await(qp, expected);
        }
    }

    @Test
    void aParkedQueueRungByTheHostIsServedAndActiveAgain() {
        try (Rig rig = Rig.withQueues(false, 2)) {
            NvmeQpair parked = rig.ctrlr.allocIoQpair(4);
            NvmeQpair busy = rig.ctrlr.allocIoQpair(4);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            MemorySegment bar = rig.device.registers();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (DoorbellSummary.isSet(bar, parked.qid())) {
                reads(busy, buf, done, 16);
                assertTrue(System.nanoTime() - deadline < 0, "an idle queue parks");
            }
            Done late = new Done();
            assertTrue(parked.read(1, buf, 5, 1, late, null));
            late.await(parked, 1);
            assertEquals(NvmeStatus.SUCCESS, late.status);
        }
    }

    @Test
    void aRawDoorbellOnAParkedQueueIsFoundByTheSweep() {
        try (Rig rig = Rig.withQueues(true, 2)) {
            NvmeQpair parked = rig.ctrlr.allocIoQpair(4);
            NvmeQpair busy = rig.ctrlr.allocIoQpair(4);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            reads(busy, buf, done, 2 * NvmeDevice.PARK_AFTER_IDLE_VISITS);
            MemorySegment bar = rig.device.registers();
            assertFalse(DoorbellSummary.isSet(bar, parked.qid()));
            Done late = new Done();
            assertTrue(parked.read(1, buf, 5, 1, late, null));
            Mmio.writel(bar, NvmeQueues.sqTailDoorbell(parked.qid(), 0), 1); // a raw writer: no summary bit
            for (int i = 0; i < NvmeDevice.SWEEP_PASSES && late.count == 0; i++) {
                reads(busy, buf, done, 1);
                parked.processCompletions(0);
            }
            assertEquals(1, late.count, "found within one sweep period");
            assertEquals(NvmeStatus.SUCCESS, late.status);
        }
    }

    @Test
    void aQueueLeftWithARejectedTailStillParks() {
        try (Rig rig = Rig.withQueues(true, 2)) {
            NvmeQpair bad = rig.ctrlr.allocIoQpair(4);
            NvmeQpair busy = rig.ctrlr.allocIoQpair(4);
            MemorySegment bar = rig.device.registers();
            Mmio.writel(bar, NvmeQueues.sqTailDoorbell(bad.qid(), 0), 9);
            rig.device.process();
            assertEquals(1, rig.device.invalidDoorbellWrites());
            MemorySegment buf = rig.buffer(512);
            reads(busy, buf, new Done(), 2 * NvmeDevice.PARK_AFTER_IDLE_VISITS);
            assertFalse(DoorbellSummary.isSet(bar, bad.qid()), "the value already reported does not keep the queue active");
            assertEquals(1, rig.device.invalidDoorbellWrites(), "nor is it reported again");
        }
    }

    @Test
    void notifySetsTheBitAndItsWordOnlyWhenClear() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bar = arena.allocate(8192, 4096);
            DoorbellSummary.notify(bar, 70);
            assertTrue(DoorbellSummary.isSet(bar, 70));
            assertEquals(1L << 1, DoorbellSummary.top(bar));
            assertEquals(1L << 6, DoorbellSummary.word(bar, 1));
            DoorbellSummary.notify(bar, 71);
            assertEquals(3L << 6, DoorbellSummary.word(bar, 1));
            DoorbellSummary.clear(bar, 70);
            assertEquals(1L << 1, DoorbellSummary.top(bar), "the word still holds 71");
            DoorbellSummary.clear(bar, 71);
            assertEquals(0, DoorbellSummary.top(bar), "an emptied word clears its top-level bit");
            DoorbellSummary.notify(bar, DoorbellSummary.MAX_QID + 1);
            assertEquals(0, DoorbellSummary.top(bar), "a qid beyond the summary is left to the sweep");
        }
    }
}
