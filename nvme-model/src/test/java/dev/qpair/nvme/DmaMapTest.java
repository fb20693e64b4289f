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

    @Test
    void pagesThatShareACacheSlotStillTranslateToTheirOwnSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate((4L << 20) + 8192, 4096);
            MemorySegment low = whole.asSlice(0, 4096);
            MemorySegment high = whole.asSlice(4L << 20, 4096);
            DmaMap dma = new DmaMap();
            dma.map(low);
            dma.map(high);
            for (int i = 0; i < 3; i++) {
                assertSame(low, dma.segmentFor(low.address() + 8, 8));
                assertSame(high, dma.segmentFor(high.address() + 8, 8), "1024 pages apart: the same slot, another segment");
                assertNull(dma.segmentFor(low.address() + 4096, 8), "the page after low is not mapped, whatever the slot holds");
                assertNull(dma.segmentFor(low.address() + 8, 4096), "a hit in the slot still checks the length");
            }
        }
    }

    @Test
    void unmappingASegmentThatHoldsAPinnedRangeIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment queue = arena.allocate(8192, 4096);
            DmaMap dma = new DmaMap();
            dma.map(queue);
            Object controller = new Object();
            dma.pin(controller, queue.address() + 4096, 1024, "I/O submission queue 3");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> dma.unmap(queue));
            assertTrue(e.getMessage().contains("I/O submission queue 3"), e.getMessage());
            assertSame(queue, dma.segmentFor(queue.address(), 8192), "the refused unmap changed nothing");
            dma.unpin(new Object(), queue.address() + 4096);
            assertThrows(IllegalStateException.class, () -> dma.unmap(queue), "only the owner's unpin counts");
            dma.unpin(controller, queue.address() + 4096);
            dma.unmap(queue);
            assertEquals(0, dma.mappings());
        }
    }

    @Test
    void aLiveQueuesMemoryCannotBeUnmappedUntilTheQueueIsDeleted() {
        try (Rig rig = Rig.inline()) {
            int pinned = rig.dma.pins();
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            assertEquals(pinned + 2, rig.dma.pins(), "its SQ and CQ");
            IllegalStateException sq = assertThrows(IllegalStateException.class, () -> rig.dma.unmap(qp.submissionQueue()));
            assertTrue(sq.getMessage().contains("I/O submission queue " + qp.qid()), sq.getMessage());
            IllegalStateException cq = assertThrows(IllegalStateException.class, () -> rig.dma.unmap(qp.completionQueue()));
            assertTrue(cq.getMessage().contains("I/O completion queue " + qp.qid()), cq.getMessage());
            rig.ctrlr.freeIoQpair(qp);
            assertEquals(pinned, rig.dma.pins(), "Delete I/O SQ and CQ unpin them");
        }
    }
}
