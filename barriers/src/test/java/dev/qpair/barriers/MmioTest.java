package dev.qpair.barriers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MmioTest {

    private static final int PAGE = 4096;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(PAGE, PAGE);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void writelThenReadlRoundTripsEveryRegisterOfThePage() {
        for (long offset = 0; offset < PAGE; offset += Integer.BYTES) {
            Mmio.writel(page, offset, (int) offset * 31 + 7);
        }
        for (long offset = 0; offset < PAGE; offset += Integer.BYTES) {
            assertEquals((int) offset * 31 + 7, Mmio.readl(page, offset), "register at " + offset);
        }
    }

    @Test
    void relaxedAndOrderedFormsAccessTheSameRegister() {
        Mmio.writelRelaxed(page, 0x100, 0xCAFE);
        assertEquals(0xCAFE, Mmio.readl(page, 0x100));
        Mmio.writeq(page, 0x200, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, Mmio.readqRelaxed(page, 0x200));
        assertEquals(0x5566_7788, Mmio.readlRelaxed(page, 0x200), "low half, little-endian");
        Mmio.writeqRelaxed(page, PAGE - Long.BYTES, -1L);
        assertEquals(-1L, Mmio.readq(page, PAGE - Long.BYTES));
    }

    @Test
    void unalignedOffsetIsRefusedWithOffsetAndPageSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mmio.writel(page, 0x102, 1));
        assertTrue(e.getMessage().contains("0x102"), e.getMessage());
        assertTrue(e.getMessage().contains("not aligned"), e.getMessage());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mmio.writeq(page, 0x104, 1L));
        assertThrows(IllegalArgumentException.class, () -> Mmio.readq(page, 4));
        assertThrows(IllegalArgumentException.class, () -> Mmio.readlRelaxed(page, 1));
    }

    @Test
    void offsetOutsideThePageIsRefusedWithOffsetAndPageSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mmio.writel(page, PAGE, 1));
        assertTrue(e.getMessage().contains("0x1000"), e.getMessage());
        assertTrue(e.getMessage().contains("outside the doorbell page"), e.getMessage());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mmio.readl(page, -4));
        assertThrows(IllegalArgumentException.class, () -> Mmio.writeq(page, PAGE - 4, 1L));
        assertThrows(IllegalArgumentException.class, () -> Mmio.readq(page, Long.MAX_VALUE - 7));
    }

    @Test
    void aRefusedWriteLeavesThePageUntouched() {
        Mmio.writel(page, PAGE - 4, 0x1234);
        assertThrows(IllegalArgumentException.class, () -> Mmio.writeq(page, PAGE - 4, -1L));
        assertEquals(0x1234, Mmio.readl(page, PAGE - 4));
    }

    @Test
    void theCheckWorksOnPagesOfAnySize() {
        MemorySegment small = arena.allocate(64, 64);
        assertEquals(60, Mmio.checkOffset(small, 60, Integer.BYTES));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mmio.checkOffset(small, 64, Integer.BYTES));
        assertTrue(e.getMessage().contains("64 bytes"), e.getMessage());
    }
}
