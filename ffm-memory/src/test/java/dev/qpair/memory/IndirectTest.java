package dev.qpair.memory;

import static dev.qpair.memory.AccessFlags.LOCAL_WRITE;
import static dev.qpair.memory.AccessFlags.REMOTE_READ;
import static dev.qpair.memory.AccessFlags.REMOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IndirectTest {

    private static final int PAGE = 4096;

    private final KeyTable table = KeyTable.create(64);
    private final ProtectionDomain pd = table.allocPd();
    private final AlignedBuffer a = AlignedBuffer.allocate(2 * PAGE, Alignment.PAGE);
    private final AlignedBuffer b = AlignedBuffer.allocate(2 * PAGE, Alignment.PAGE);
    private final MemoryRegion mrA = pd.regMr(a, LOCAL_WRITE);
    private final MemoryRegion mrB = pd.regMr(b, LOCAL_WRITE);
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

    private Sge sgeA(long offset, int length) {
        return new Sge(mrA.lkey(), mrA.iova() + offset, length);
    }

    private Sge sgeB(long offset, int length) {
        return new Sge(mrB.lkey(), mrB.iova() + offset, length);
    }

    @Test
    void byteAlignedElementsBecomeOneContiguousRegionWithOneKey() {
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 4);
        int key = ind.mapIndirect(0x7000_0000L, LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ,
                sgeA(3, 5), sgeB(1001, 17), sgeA(4000, 1));
        assertEquals(23, ind.length());
        assertEquals(0x7000_0000L, ind.iova());

        MemorySegment payload = arena.allocate(23);
        for (int i = 0; i < 23; i++) {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte) (0x40 + i));
        }
        assertEquals(AccessStatus.OK, table.lookup(key, 0x7000_0000L, 23, REMOTE_WRITE, pd, t));
        long done = 0;
        int pieces = 0;
        while (t.next()) {
            MemorySegment.copy(payload, done, t.segment(), t.offset(), t.length());
            done += t.length();
            pieces++;
        }
        assertEquals(23, done);
        assertEquals(3, pieces);
        assertEquals(-1, a.segment().asSlice(3, 5).mismatch(payload.asSlice(0, 5)));
        assertEquals(-1, b.segment().asSlice(1001, 17).mismatch(payload.asSlice(5, 17)));
        assertEquals(0x40 + 22, a.segment().get(ValueLayout.JAVA_BYTE, 4000));
        assertEquals(0, a.segment().get(ValueLayout.JAVA_BYTE, 2));
        assertEquals(0, a.segment().get(ValueLayout.JAVA_BYTE, 8));

        assertEquals(AccessStatus.OK, table.lookup(key, 0x7000_0000L + 4, 3, REMOTE_READ, pd, t));
        assertTrue(t.next());
        assertSame(a.segment(), t.segment());
        assertEquals(7, t.offset());
        assertEquals(1, t.length());
        assertTrue(t.next());
        assertSame(b.segment(), t.segment());
        assertEquals(1001, t.offset());
        assertEquals(2, t.length());
        assertFalse(t.next());

        assertEquals(AccessStatus.OK, table.lookup(key, 0x7000_0000L + 22, 1, REMOTE_READ, pd, t));
        MemorySegment last = arena.allocate(1);
        assertEquals(1, t.copyTo(last, 0));
        assertEquals(0x40 + 22, last.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(AccessStatus.OUT_OF_BOUNDS, table.lookup(key, 0x7000_0000L + 22, 2, REMOTE_READ, pd, t));
        assertEquals(AccessStatus.OUT_OF_BOUNDS, table.lookup(key, 0x7000_0000L - 1, 2, REMOTE_READ, pd, t));
    }

    @Test
    void anElementOverAPageListRegionFollowsItsPages() {
        MemoryRegion pages = pd.allocMr(MrType.PAGE_LIST, 4);
        pages.mapPages(PAGE, LOCAL_WRITE, new ScatterEntry(a, PAGE - 10, 10), new ScatterEntry(b, 0, 10));
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 1);
        int key = ind.mapIndirect(0, LOCAL_WRITE, new Sge(pages.lkey(), pages.iova() + 5, 10));
        assertEquals(AccessStatus.OK, table.lookup(key, 0, 10, LOCAL_WRITE, pd, t));
        assertTrue(t.next());
        assertSame(a.segment(), t.segment());
        assertEquals(PAGE - 5, t.offset());
        assertEquals(5, t.length());
        assertTrue(t.next());
        assertSame(b.segment(), t.segment());
        assertEquals(0, t.offset());
        assertEquals(5, t.length());
        assertFalse(t.next());
    }

    @Test
    void anAccessThroughAnElementWhoseRegionChangedIsRefused() {
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 2);
        int key = ind.mapIndirect(0, LOCAL_WRITE | REMOTE_READ, sgeA(0, 100), sgeB(0, 100));
        assertEquals(AccessStatus.OK, table.lookup(key, 0, 200, REMOTE_READ, pd, t));
        mrB.rereg(b, 0, PAGE, LOCAL_WRITE);
        assertEquals(AccessStatus.OK, table.lookup(key, 0, 100, REMOTE_READ, pd, t), "only a's element");
        assertEquals(AccessStatus.ELEMENT_INVALIDATED, table.lookup(key, 50, 100, REMOTE_READ, pd, t));
        mrA.deregister();
        assertEquals(AccessStatus.ELEMENT_INVALIDATED, table.lookup(key, 0, 1, REMOTE_READ, pd, t));
        a.close();
    }

    @Test
    void indirectRegionsAreInvalidatedAndMappedAgain() {
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 2);
        int k1 = ind.mapIndirect(0, REMOTE_READ, sgeA(0, 10));
        assertEquals(AccessStatus.OK, table.remoteInvalidate(k1, pd));
        assertEquals(AccessStatus.INVALIDATED, table.lookup(k1, 0, 1, REMOTE_READ, pd, t));
        int k2 = ind.mapIndirect(0, REMOTE_READ, sgeB(0, 10));
        assertEquals(AccessStatus.STALE_KEY, table.lookup(k1, 0, 1, REMOTE_READ, pd, t));
        assertEquals(AccessStatus.OK, table.lookup(k2, 0, 1, REMOTE_READ, pd, t));
        assertTrue(t.next());
        assertSame(b.segment(), t.segment());
    }

    @Test
    void eachElementRefusalNamesTheElement() {
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 2);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                sgeA(0, 1), new Sge(0x12345600, 0, 1))), "sges[1]", "BAD_KEY");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                sgeA(2 * PAGE - 1, 2))), "sges[0]", "OUT_OF_BOUNDS");
        MemoryRegion readOnly = pd.regMr(b, 0);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, REMOTE_WRITE | LOCAL_WRITE,
                sgeA(0, 1), new Sge(readOnly.lkey(), readOnly.iova(), 1))), "sges[1]", "ACCESS_DENIED",
                "needs LOCAL_WRITE on every element's region");
        ProtectionDomain other = table.allocPd();
        MemoryRegion foreign = other.regMr(b, LOCAL_WRITE);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                new Sge(foreign.lkey(), foreign.iova(), 1))), "sges[0]", "WRONG_PD");
        MemoryRegion inner = pd.allocMr(MrType.INDIRECT, 1);
        inner.mapIndirect(0, 0, sgeA(0, 8));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                new Sge(inner.lkey(), 0, 8))), "sges[0]", "do not nest");
        DeviceMemory bar = DeviceMemory.allocate(new DeviceId("mlx5_1"), DeviceMemory.Kind.BAR, PAGE);
        MemoryRegion barMr = pd.regMr(bar, LOCAL_WRITE);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                sgeA(0, 1), new Sge(barMr.lkey(), barMr.iova(), 1))), "sges[1] is local to mlx5_1 but sges[0] to host");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0,
                sgeA(0, 1), sgeA(1, 1), sgeA(2, 1))), "sges has 3 elements", "maxEntries = 2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(0, 0, List.of())),
                "sges has 0 elements");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ind.mapIndirect(-5L, 0, sgeA(0, 10))),
                "passes 2^64");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Sge(1, 0, 0)), "length = 0");
        assertFalse(ind.isValid());
    }
}
