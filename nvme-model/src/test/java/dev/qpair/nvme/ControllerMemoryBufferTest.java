package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.Mmio;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** A controller memory buffer holds a submission queue and data buffers, and is marked local to its controller. */
class ControllerMemoryBufferTest {

    @Test
    void anSqAndADataBufferInTheCmbCarryAWriteAndARead() throws Exception {
        try (Rig rig = Rig.withCmb(64 * 1024)) {
            int cmbsz = Mmio.readl(rig.device.registers(), NvmeRegs.CMBSZ);
            assertEquals(64 * 1024, NvmeRegs.cmbszBytes(cmbsz));
            assertTrue((cmbsz & NvmeRegs.CMBSZ_SQS) != 0 && (cmbsz & NvmeRegs.CMBSZ_WDS) != 0 && (cmbsz & NvmeRegs.CMBSZ_RDS) != 0);
            assertEquals(2, Mmio.readl(rig.device.registers(), NvmeRegs.CMBLOC) & 7, "BIR 2");
            rig.ctrlr.useControllerMemoryBuffer(rig.device.controllerMemoryBuffer());
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8, true);
            assertTrue(rig.device.isControllerMemory(qp.submissionQueue().address(), qp.submissionQueue().byteSize()), "SQ in the CMB");
            MemorySegment local = rig.ctrlr.allocateCmbBuffer(4096);
            assertTrue(rig.device.isControllerMemory(local.address(), 4096));
            MemorySegment host = rig.buffer(4096);
            assertFalse(rig.device.isControllerMemory(host.address(), 4096));
            for (int i = 0; i < 4096; i++) {
                local.set(JAVA_BYTE, i, (byte) (i ^ 0x3C));
            }
            Done done = new Done();
            assertTrue(qp.write(1, local, 8, 8, done, null));
            assertTrue(qp.read(1, host, 8, 8, done, null));
            done.await(qp, 2);
            assertEquals(0, done.failures, NvmeStatus.describe(done.status));
            assertEquals(-1, local.mismatch(host));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rig.ctrlr.allocateCmbBuffer(64 * 1024));
            assertTrue(e.getMessage().contains("left"), e.getMessage());
        }
    }

    @Test
    void aControllerWithoutCmbSaysSo() throws Exception {
        try (Rig rig = Rig.inline()) {
            assertEquals(0, Mmio.readl(rig.device.registers(), NvmeRegs.CMBSZ));
            assertThrows(IllegalStateException.class, () -> rig.device.controllerMemoryBuffer());
            assertThrows(IllegalStateException.class, () -> rig.ctrlr.allocIoQpair(8, true));
        }
    }
}
