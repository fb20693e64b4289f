package dev.qpair.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Translation succeeds only for ranges wholly inside one mapped segment. */
class DmaMapTest {

    @Test
    void rangesTranslateOnlyInsideOneMappedSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(3 * 4096, 4096);
            MemorySegment a = whole.asSlice(0, 4096);
            MemorySegment c = whole.asSlice(8192, 4096);
            DmaMap dma = new DmaMap();
            assertEquals(a.address(), dma.map(a));
            dma.map(c);
            assertEquals(2, dma.mappings());
            assertSame(a, dma.segmentFor(a.address(), 4096));
            assertSame(a, dma.segmentFor(a.address() + 4095, 1));
            assertNull(dma.segmentFor(a.address() + 4095, 2), "a range that runs past the end of the mapping");
            assertNull(dma.segmentFor(a.address() + 4096, 1), "the unmapped page between the mappings");
            assertNull(dma.segmentFor(a.address() - 1, 1));
            assertNull(dma.segmentFor(a.address(), 0));
            assertNull(dma.segmentFor(-8, 16), "negative bus address");
            assertNull(dma.segmentFor(c.address(), Long.MAX_VALUE), "a length that would overflow");
            assertSame(c, dma.segmentFor(c.address() + 100, 200));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dma.map(whole.asSlice(4000, 200)));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> dma.map(MemorySegment.ofArray(new byte[16])));
            dma.unmap(a);
            assertNull(dma.segmentFor(a.address(), 1));
            assertThrows(IllegalArgumentException.class, () -> dma.unmap(a));
            assertEquals(1, dma.mappings());
        }
    }
}
