package dev.qpair.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.Mmio;
import dev.qpair.nvme.controller.Namespace;
import dev.qpair.nvme.controller.NvmeDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** CAP and VS contents and the CC/CSTS bring-up, reset and shutdown handshakes, driven by hand. */
class ControllerRegistersTest {

    @Test
    void capAndVsDescribeTheModel() throws Exception {
        DmaMap dma = new DmaMap();
        try (Namespace ns = Namespace.inMemory(8, 512); NvmeDevice dev = NvmeDevice.create(dma, 2, "S", ns)) {
            long cap = Mmio.readq(dev.registers(), NvmeRegs.CAP);
            assertEquals(1023, NvmeRegs.capMqes(cap));
            assertTrue(NvmeRegs.capCqr(cap));
            assertEquals(0, NvmeRegs.capDstrd(cap));
            assertEquals(1, NvmeRegs.capCss(cap) & 1, "NVM command set");
            assertTrue(NvmeRegs.capTo(cap) > 0);
            assertEquals(0x00010400, Mmio.readl(dev.registers(), NvmeRegs.VS));
            assertTrue(dev.registers().byteSize() >= 0x1000 + 2 * 3 * 4, "doorbells of the admin and 2 I/O queue pairs fit");
        }
    }

    @Test
    void enableReadyResetAndShutdownFollowTheSpec() throws Exception {
        DmaMap dma = new DmaMap();
        try (Arena arena = Arena.ofConfined(); Namespace ns = Namespace.inMemory(8, 512);
                NvmeDevice dev = NvmeDevice.create(dma, 2, "S", ns)) {
            MemorySegment bar = dev.registers();
            MemorySegment asq = arena.allocate(4096, 4096);
            MemorySegment acq = arena.allocate(4096, 4096);
            dma.map(asq);
            dma.map(acq);
            Mmio.writel(bar, NvmeRegs.AQA, NvmeRegs.aqa(3, 3));
            Mmio.writeq(bar, NvmeRegs.ASQ, asq.address());
            Mmio.writeq(bar, NvmeRegs.ACQ, acq.address());
            dev.process();
            assertEquals(0, Mmio.readl(bar, NvmeRegs.CSTS), "not ready before CC.EN");
            Mmio.writel(bar, NvmeRegs.CC, NvmeRegs.CC_EN | 6 << 16 | 4 << 20);
            dev.process();
            assertEquals(NvmeRegs.CSTS_RDY, Mmio.readl(bar, NvmeRegs.CSTS));
            Mmio.writel(bar, NvmeRegs.CC, 6 << 16 | 4 << 20);
            dev.process();
            assertEquals(0, Mmio.readl(bar, NvmeRegs.CSTS), "CC.EN = 0 resets: RDY clears");
            Mmio.writel(bar, NvmeRegs.CC, NvmeRegs.CC_EN | 6 << 16 | 4 << 20);
            dev.process();
            assertEquals(NvmeRegs.CSTS_RDY, Mmio.readl(bar, NvmeRegs.CSTS));
            Mmio.writel(bar, NvmeRegs.CC, NvmeRegs.CC_EN | 1 << NvmeRegs.CC_SHN_SHIFT | 6 << 16 | 4 << 20);
            dev.process();
            assertEquals(NvmeRegs.SHST_COMPLETE, NvmeRegs.cstsShst(Mmio.readl(bar, NvmeRegs.CSTS)));
        }
    }

    @Test
    void anUnmappedAdminQueueRefusesTheEnableWithFatalStatus() throws Exception {
        DmaMap dma = new DmaMap();
        try (Arena arena = Arena.ofConfined(); Namespace ns = Namespace.inMemory(8, 512);
                NvmeDevice dev = NvmeDevice.create(dma, 2, "S", ns)) {
            MemorySegment bar = dev.registers();
            MemorySegment asq = arena.allocate(4096, 4096);
            Mmio.writel(bar, NvmeRegs.AQA, NvmeRegs.aqa(3, 3));
            Mmio.writeq(bar, NvmeRegs.ASQ, asq.address());
            Mmio.writeq(bar, NvmeRegs.ACQ, asq.address());
            Mmio.writel(bar, NvmeRegs.CC, NvmeRegs.CC_EN | 6 << 16 | 4 << 20);
            dev.process();
            assertEquals(NvmeRegs.CSTS_CFS, Mmio.readl(bar, NvmeRegs.CSTS));
            assertNotNull(dev.enableError());
            assertTrue(dev.enableError().contains("not DMA-mapped"), dev.enableError());
            Mmio.writel(bar, NvmeRegs.CC, 0);
            dev.process();
            assertEquals(0, Mmio.readl(bar, NvmeRegs.CSTS), "reset clears CFS");
            assertNull(dev.fatalError());
        }
    }

    @Test
    void attachReportsAControllerThatNeverBecomesReady() throws Exception {
        DmaMap dma = new DmaMap();
        try (Namespace ns = Namespace.inMemory(8, 512); NvmeDevice dev = NvmeDevice.create(dma, 2, "S", ns)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NvmeCtrlr.attach(dev.registers(), dma, null, 4, 1));
            assertTrue(e.getMessage().contains("CSTS.RDY"), e.getMessage());
            assertEquals(0, dma.mappings(), "the failed attach unmapped its queues");
        }
    }
}
