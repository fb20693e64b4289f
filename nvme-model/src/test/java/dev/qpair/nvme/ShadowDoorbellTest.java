package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
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
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (submitted < 2000) {
                if (qp.read(2, buf, submitted % 256, 1, done, null)) {
                    submitted++;
                } else {
                    qp.processCompletions(0);
                }
                assertTrue(System.nanoTime() < deadline, "2000 reads within 5 s, done " + done.count);
            }
            done.await(qp, 2000);
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
