package dev.qpair.memory;

import static dev.qpair.memory.AccessFlags.LOCAL_WRITE;
import static dev.qpair.memory.AccessFlags.REMOTE_READ;
import static dev.qpair.memory.AccessFlags.REMOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PageListTest {

    private static final int PAGE = 4096;

    private final KeyTable table = KeyTable.create(64);
    private final ProtectionDomain pd = table.allocPd();
    private final AlignedBuffer a = AlignedBuffer.allocate(4 * PAGE, Alignment.PAGE);
    private final AlignedBuffer b = AlignedBuffer.allocate(4 * PAGE, Alignment.PAGE);
    private final Translation t = new Translation();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    /** a[100, 2 pages) + b[page 1, page 3) + a[page 3, page 3 + 10): first offset, whole middle, short last. */
    private int mapThree(MemoryRegion mr) {
        return mr.mapPages(PAGE, LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ,
                new ScatterEntry(a, 100, 2 * PAGE - 100),
                new ScatterEntry(b, PAGE, 2 * PAGE),
                new ScatterEntry(a, 3 * PAGE, 10));
    }

    @Test
    void aPageListMapsItsElementsBackToBack() {
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 5);
        assertFalse(mr.isValid());
        int key = mapThree(mr);
        assertTrue(mr.isValid());
        assertEquals(key, mr.rkey());
        assertEquals(a.segment().address() + 100, mr.iova());
        assertEquals(2 * PAGE - 100 + 2 * PAGE + 10, mr.length());
        assertEquals(3, a.registrationCount() + b.registrationCount(), "one pin per element");

        MemorySegment payload = arena.allocate(mr.length());
        for (long i = 0; i < payload.byteSize(); i++) {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 3));
        }
        assertEquals(AccessStatus.OK, table.lookup(key, mr.iova(), mr.length(), REMOTE_WRITE, pd, t));
        assertTrue(t.next());
        assertSame(a.segment(), t.segment());
        assertEquals(100, t.offset());
        assertEquals(2 * PAGE - 100, t.length(), "two contiguous pages of a come as one piece");
        assertTrue(t.next());
        assertSame(b.segment(), t.segment());
        assertEquals(PAGE, t.offset());
        assertEquals(2 * PAGE, t.length());
        assertTrue(t.next());
        assertSame(a.segment(), t.segment());
        assertEquals(3 * PAGE, t.offset());
        assertEquals(10, t.length());
        assertFalse(t.next());

        assertEquals(AccessStatus.OK, table.lookup(key, mr.iova(), mr.length(), REMOTE_WRITE, pd, t));
        assertEquals(mr.length(), t.copyFrom(payload, 0));
        assertEquals(-1, a.segment().asSlice(100, 2 * PAGE - 100).mismatch(payload.asSlice(0, 2 * PAGE - 100)));
        assertEquals(-1, b.segment().asSlice(PAGE, 2 * PAGE).mismatch(payload.asSlice(2 * PAGE - 100, 2 * PAGE)));
        assertEquals(-1, a.segment().asSlice(3 * PAGE, 10).mismatch(payload.asSlice(4 * PAGE - 100, 10)));
        assertEquals(0, a.segment().get(ValueLayout.JAVA_BYTE, 99));
        assertEquals(0, a.segment().get(ValueLayout.JAVA_BYTE, 3 * PAGE + 10));

        MemorySegment back = arena.allocate(300);
        assertEquals(AccessStatus.OK, table.lookup(key, mr.iova() + 2 * PAGE - 200, 300, REMOTE_READ, pd, t));
        assertEquals(300, t.copyTo(back, 0));
        assertEquals(-1, back.mismatch(payload.asSlice(2 * PAGE - 200, 300)), "a read spanning a and b");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, table.lookup(key, mr.iova() + mr.length() - 5, 6, 0, pd, t));
    }

    @Test
    void invalidationKeepsTheKeyAndRemappingMovesItOn() {
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 8);
        int allocated = mr.lkey();
        assertEquals(AccessStatus.INVALIDATED, table.lookup(allocated, 0, 1, 0, pd, t), "never mapped");
        int k1 = mapThree(mr);
        assertNotEquals(allocated, k1);
        mr.invalidate(k1);
        assertEquals(k1, mr.lkey());
        assertEquals(0, a.registrationCount() + b.registrationCount(), "invalidation unpins");
        assertEquals(AccessStatus.INVALIDATED, table.lookup(k1, a.segment().address() + 100, 1, 0, pd, t));
        mr.invalidate(k1);
        int k2 = mr.mapPages(PAGE, LOCAL_WRITE, new ScatterEntry(b, 0, PAGE));
        assertEquals((k1 + 1) & 0xff, k2 & 0xff);
        assertEquals(AccessStatus.STALE_KEY, table.lookup(k1, b.segment().address(), 1, 0, pd, t));
        assertEquals(AccessStatus.OK, table.lookup(k2, b.segment().address(), 1, 0, pd, t));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.invalidate(k1)),
                String.format("key = 0x%08x", k1), String.format("current key 0x%08x", k2));
        assertMessage(assertThrows(IllegalStateException.class, () -> mapThree(mr)), "which is valid");
    }

    @Test
    void localAndRemoteInvalidationByKey() {
        MemoryRegion remote = pd.allocMr(MrType.PAGE_LIST, 8);
        int key = mapThree(remote);
        ProtectionDomain other = table.allocPd();
        assertEquals(AccessStatus.WRONG_PD, table.remoteInvalidate(key, other));
        assertEquals(AccessStatus.STALE_KEY, table.remoteInvalidate(key ^ 1, pd));
        assertEquals(AccessStatus.BAD_KEY, table.remoteInvalidate(0, pd));
        assertTrue(remote.isValid(), "refused invalidations change nothing");
        assertEquals(AccessStatus.OK, table.remoteInvalidate(key, pd));
        assertFalse(remote.isValid());
        assertEquals(AccessStatus.OK, table.remoteInvalidate(key, pd), "again: nothing to do");

        MemoryRegion local = pd.allocMr(MrType.PAGE_LIST, 1);
        int localKey = local.mapPages(PAGE, LOCAL_WRITE, new ScatterEntry(b, 0, 64));
        assertEquals(AccessStatus.ACCESS_DENIED, table.remoteInvalidate(localKey, pd),
                "a key that grants no remote access was never on the wire");
        assertTrue(local.isValid());
        assertEquals(AccessStatus.OK, table.localInvalidate(localKey, pd));
        assertFalse(local.isValid());
    }

    @Test
    void eachPageListRuleNamesTheOffendingElement() {
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 4);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, 0,
                new ScatterEntry(a, 0, PAGE), new ScatterEntry(b, 8, 100))),
                "sg[1] starts at", "only sg[0] may start at an offset");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, 0,
                new ScatterEntry(a, 0, 100), new ScatterEntry(b, 0, PAGE))),
                "sg[0] ends at", "only the last element (sg[1]) may end before");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, 0,
                new ScatterEntry(a, 0, 4 * PAGE), new ScatterEntry(b, 0, 1))),
                "sg[1] brings the page count to 5", "maxEntries = 4");
        MemoryRegion onePage = pd.allocMr(MrType.PAGE_LIST, 1);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> onePage.mapPages(PAGE, 0,
                new ScatterEntry(a, 10, PAGE))), "sg[0] brings the page count to 2", "maxEntries = 1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(3000, 0,
                new ScatterEntry(a, 0, PAGE))), "pageSize = 3000", "power of two in [4096, 2097152]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(4 << 20, 0,
                new ScatterEntry(a, 0, PAGE))), "pageSize = 4194304");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(2048, 0,
                new ScatterEntry(a, 0, PAGE))), "pageSize = 2048");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, 0, List.of())),
                "sg is empty");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, REMOTE_WRITE,
                new ScatterEntry(a, 0, PAGE))), "requires LOCAL_WRITE");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ScatterEntry(a, 4 * PAGE - 1, 2)),
                "length = 2", "[1, 1]");
        assertFalse(mr.isValid());
        assertEquals(0, a.registrationCount() + b.registrationCount(), "refused mappings pin nothing");
    }

    @Test
    void largerPagesAndAMisalignedMiddleElementForThem() {
        AlignedBuffer huge = AlignedBuffer.allocate(4 << 20, Alignment.HUGE_PAGE);
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 2);
        int key = mr.mapPages(2 << 20, LOCAL_WRITE, new ScatterEntry(huge, 4096, (4 << 20) - 4096));
        assertEquals(AccessStatus.OK, table.lookup(key, mr.iova() + (2 << 20), 4096, LOCAL_WRITE, pd, t));
        assertTrue(t.next());
        assertEquals(4096 + (2 << 20), t.offset());
        mr.invalidate(key);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(2 << 20, 0,
                new ScatterEntry(huge, 0, 2 << 20), new ScatterEntry(huge, (2 << 20) + 4096, 4096))),
                "sg[1] starts at", "2097152-byte page boundary");
    }

    @Test
    void aPageListNeverMixesDevices() {
        DeviceMemory cmb = DeviceMemory.allocate(new DeviceId("nvme0"), DeviceMemory.Kind.CONTROLLER_MEMORY_BUFFER, PAGE);
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 4);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.mapPages(PAGE, 0,
                new ScatterEntry(a, 0, PAGE), new ScatterEntry(cmb, 0, PAGE))),
                "sg[1] is local to nvme0 but sg[0] to host");
        mr.mapPages(PAGE, 0, new ScatterEntry(cmb, 0, PAGE));
        assertEquals(new DeviceId("nvme0"), mr.owner());
    }

    @Test
    void allocMrValidatesItsArguments() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.allocMr(MrType.DIRECT, 1)), "type = DIRECT");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.allocMr(MrType.PAGE_LIST, 0)),
                "maxEntries = 0", "[1, 65536]");
        assertMessage(assertThrows(IllegalStateException.class,
                () -> pd.allocMr(MrType.INDIRECT, 1).mapPages(PAGE, 0, new ScatterEntry(a, 0, 1))),
                "needs a PAGE_LIST region");
    }
}
