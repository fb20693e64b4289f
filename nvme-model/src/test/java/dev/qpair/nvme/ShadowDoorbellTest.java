package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.rings.nvme.DoorbellSummary;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Doorbell Buffer Config: shadow doorbells and EventIdx keep the data path correct and save MMIO doorbell writes. */
class ShadowDoorbellTest {

    private static final int BURSTS = 250;
    private static final int BURST = 4;

    /** Runs BURSTS bursts of BURST write+read pairs; returns the MMIO doorbell writes of the qpair. */
    private static long run(Rig rig) {
        NvmeQpair qp = rig.ctrlr.allocIoQpair(16);
        MemorySegment out = rig.buffer(512);
        MemorySegment in = rig.buffer(512);
        Done done = new Done();
        int expected = 0;
        for (int b = 0; b < BURSTS; b++) {
            out.set(JAVA_INT, 0, b);
            for (int i = 0; i < BURST; i++) {
                assertTrue(qp.write(1, out, b % 2048, 1, done, null));
            }
            expected += BURST;
            done.await(qp, expected);
            for (int i = 0; i < BURST; i++) {
                assertTrue(qp.read(1, in, b % 2048, 1, done, null));
            }
            expected += BURST;
            done.await(qp, expected);
            assertEquals(b, in.get(JAVA_INT, 0), "burst " + b + " read back its write");
        }
        assertEquals(0, done.failures);
        return qp.mmioDoorbellWrites();
    }

    @Test
    void shadowDoorbellsSaveMmioWritesAndKeepDataIntact() throws Exception {
        long plain;
        long shadowed;
        try (Rig rig = Rig.inline()) {
            plain = run(rig);
        }
        try (Rig rig = Rig.inline()) {
            MemorySegment id = rig.buffer(4096);
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0, id, NvmeOpcodes.CNS_CONTROLLER, 0, 0, 0));
            assertEquals(1 << 8, id.get(JAVA_SHORT, 256) & (1 << 8), "OACS bit 8: Doorbell Buffer Config supported");
            rig.ctrlr.enableShadowDoorbells();
            shadowed = run(rig);
        }
        System.out.printf("MMIO doorbell writes for %d I/Os in bursts of %d: %d plain, %d with shadow doorbells%n",
                2 * BURSTS * BURST, BURST, plain, shadowed);
        assertTrue(plain >= 4L * BURSTS, "plain: one SQ and one CQ doorbell per burst, " + plain);
        assertTrue(shadowed < plain, "shadow doorbells save MMIO writes: " + shadowed + " vs " + plain);
    }

    @Test
    void aControllerThreadReadsShadowTailsAndHeads() throws Exception {
        try (Rig rig = Rig.threaded()) {
            rig.ctrlr.enableShadowDoorbells();
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(4096);
            Done done = new Done();
            int submitted = 0;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (submitted < 2000) {
                if (qp.read(2, buf, submitted % 256, 1, done, null)) {
                    submitted++;
                } else {
                    qp.processCompletions(0);
                }
                assertTrue(System.nanoTime() < deadline, "2000 reads within 30 s, done " + done.count);
            }
            done.await(qp, 2000);
            assertEquals(0, done.failures);
        }
    }

    private static final int QD1_IOS = 2000;
    private static final int QD1_ENTRIES = 64;

    /** Runs QD1_IOS write-then-read-back I/Os at queue depth 1 on a controller thread; returns the qpair's MMIO doorbell writes. */
    private static long queueDepthOne(Rig rig) {
        NvmeQpair qp = rig.ctrlr.allocIoQpair(QD1_ENTRIES);
        MemorySegment out = rig.buffer(512);
        MemorySegment in = rig.buffer(512);
        Done done = new Done();
        for (int i = 0; i < QD1_IOS / 2; i++) {
            out.set(JAVA_INT, 0, i);
            assertTrue(qp.write(1, out, i % 2048, 1, done, null));
            done.await(qp, 2 * i + 1);
            assertTrue(qp.read(1, in, i % 2048, 1, done, null));
            done.await(qp, 2 * i + 2);
            assertEquals(i, in.get(JAVA_INT, 0), "I/O " + i + " read back its write");
        }
        assertEquals(0, done.failures);
        return qp.mmioDoorbellWrites();
    }

    @Test
    void aPollingControllerAsksForNoDoorbellWhileItPollsTheQueue() throws Exception {
        long plain;
        try (Rig rig = Rig.threaded()) {
            plain = queueDepthOne(rig);
        }
        long shadowed;
        Rig rig = Rig.threaded();
        try (rig) {
            rig.ctrlr.enableShadowDoorbells();
            shadowed = queueDepthOne(rig);
        }
        long parks = rig.device.sqParks(); // read after close() joined the controller thread
        // The host crosses a stale EventIdx once per wrap of each queue's index, and rings once after each park.
        long wraps = 2 * (QD1_IOS / QD1_ENTRIES + 2);
        System.out.printf("MMIO doorbell writes for %d QD1 I/Os on a controller thread: %d plain, %d with shadow doorbells"
                + " (%d parks)%n", QD1_IOS, plain, shadowed, parks);
        assertTrue(plain >= 2L * QD1_IOS, "plain: one SQ and one CQ doorbell per I/O, " + plain);
        assertTrue(shadowed <= parks + wraps, "shadowed: a doorbell only after a park or a wrap, " + shadowed
                + " with " + parks + " parks");
        assertTrue(shadowed - parks < plain / 4, "shadowed: " + shadowed + " (" + parks + " parks) vs plain " + plain);
    }

    /** Waits until the controller parks {@code qp}'s submission queue (clears its summary bit); the host stays idle meanwhile. */
    private static void awaitPark(Rig rig, NvmeQpair qp) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (DoorbellSummary.isSet(rig.device.registers(), qp.qid())) {
            assertTrue(System.nanoTime() - deadline < 0, "SQ " + qp.qid() + " parked within 10 s");
            Thread.sleep(1);
        }
    }

    @Test
    void afterAParkTheNextSubmitRingsAndCompletes() throws Exception {
        try (Rig rig = Rig.threaded()) {
            rig.ctrlr.enableShadowDoorbells();
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment out = rig.buffer(512);
            MemorySegment in = rig.buffer(512);
            Done done = new Done();
            // Two I/Os first: the SQ tail is past EventIdx's initial 0, and no round below wraps onto it again.
            assertTrue(qp.read(1, in, 0, 1, done, null));
            done.await(qp, 1);
            assertTrue(qp.read(1, in, 0, 1, done, null));
            done.await(qp, 2);
            for (int round = 1; round <= 3; round++) {
                awaitPark(rig, qp);
                long before = qp.mmioDoorbellWrites();
                out.set(JAVA_INT, 0, round);
                assertTrue(qp.write(1, out, round, 1, done, null));
                qp.ringDoorbell();
                assertEquals(before + 1, qp.mmioDoorbellWrites(), "round " + round + ": the park set EventIdx, the submit rang");
                done.await(qp, 2 * round + 1);
                assertTrue(qp.read(1, in, round, 1, done, null));
                done.await(qp, 2 * round + 2);
                assertEquals(round, in.get(JAVA_INT, 0), "round " + round + " read back its write");
            }
            assertEquals(0, done.failures);
        }
    }

    @Test
    void aPollerThatStopsAsksForDoorbellsAgain() throws Exception {
        try (Rig rig = Rig.inline()) {
            rig.ctrlr.enableShadowDoorbells();
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            AtomicBoolean polling = new AtomicBoolean(true);
            Thread poller = Thread.ofPlatform().daemon().start(() -> rig.device.runPoller(polling::get));
            for (int i = 1; i <= 8; i++) {
                assertTrue(qp.read(1, buf, i, 1, done, null));
                done.await(qp, i);
            }
            polling.set(false);
            poller.join(10_000);
            assertTrue(!poller.isAlive(), "the poller returned");
            long before = qp.mmioDoorbellWrites();
            assertTrue(qp.read(1, buf, 9, 1, done, null));
            qp.ringDoorbell();
            assertEquals(before + 1, qp.mmioDoorbellWrites(), "inline again: the first submit rings the MMIO doorbell");
            done.await(qp, 9);
            assertEquals(0, done.failures);
        }
    }

    @Test
    void misalignedBuffersAreAnInvalidFieldAndLateEnablingIsRefused() throws Exception {
        try (Rig rig = Rig.inline()) {
            MemorySegment page = rig.buffer(8192);
            assertEquals(NvmeStatus.INVALID_FIELD, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_DOORBELL_BUFFER_CONFIG, 0,
                    page.asSlice(64, 4096), 0, 0, 0, 0));
            rig.ctrlr.allocIoQpair(4);
            IllegalStateException e = assertThrows(IllegalStateException.class, rig.ctrlr::enableShadowDoorbells);
            assertTrue(e.getMessage().contains("before creating"), e.getMessage());
        }
    }
}
