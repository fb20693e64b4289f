package dev.qpair.memory;

import static dev.qpair.memory.AccessFlags.LOCAL_WRITE;
import static dev.qpair.memory.AccessFlags.REMOTE_ATOMIC;
import static dev.qpair.memory.AccessFlags.REMOTE_READ;
import static dev.qpair.memory.AccessFlags.REMOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyTableTest {

    private final KeyTable table = KeyTable.create(64);
    private final ProtectionDomain pd = table.allocPd();
    private final ProtectionDomain otherPd = table.allocPd();
    private final AlignedBuffer buffer = AlignedBuffer.allocate(16384, Alignment.PAGE);
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

    private int lookup(MemoryRegion mr, long addr, long length, int access) {
        return table.lookup(mr.rkey(), addr, length, access, pd, t);
    }

    @Test
    void aGrantedAccessTranslatesToTheRegisteredBytes() {
        MemoryRegion mr = pd.regMr(buffer, 4096, 8192, LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ);
        long base = buffer.segment().address() + 4096;
        assertEquals(base, mr.iova());
        assertEquals(8192, mr.length());
        assertEquals(mr.lkey(), mr.rkey());
        assertEquals(AccessStatus.OK, lookup(mr, base + 100, 50, REMOTE_WRITE));
        assertTrue(t.isGranted());
        assertSame(mr, t.memoryRegion());
        assertEquals(50, t.byteCount());
        assertTrue(t.next());
        assertSame(buffer.segment(), t.segment());
        assertEquals(4096 + 100, t.offset());
        assertEquals(50, t.length());
        assertFalse(t.next());

        MemorySegment payload = arena.allocate(50);
        for (int i = 0; i < 50; i++) {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
        }
        assertEquals(AccessStatus.OK, lookup(mr, base + 8192 - 50, 50, REMOTE_WRITE));
        assertEquals(50, t.copyFrom(payload, 0));
        assertEquals(50, buffer.segment().get(ValueLayout.JAVA_BYTE, 4096 + 8192 - 1));
        assertEquals(0, buffer.segment().get(ValueLayout.JAVA_BYTE, 4096 + 8192));
        MemorySegment back = arena.allocate(50);
        assertEquals(AccessStatus.OK, lookup(mr, base + 8192 - 50, 50, REMOTE_READ));
        assertEquals(50, t.copyTo(back, 0));
        assertEquals(-1, back.mismatch(payload));
    }

    @Test
    void aCallerGivenIovaIsTheAddressSpaceOfTheRegion() {
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, 0x1000_0000L, LOCAL_WRITE);
        assertEquals(AccessStatus.OK, lookup(mr, 0x1000_0000L + 4000, 96, LOCAL_WRITE));
        assertTrue(t.next());
        assertEquals(4000, t.offset());
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, buffer.segment().address(), 1, 0));
    }

    @Test
    void everyBoundsViolationIsOutOfBounds() {
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, 0x10_000L, LOCAL_WRITE);
        assertEquals(AccessStatus.OK, lookup(mr, 0x10_000L, 4096, 0));
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0x10_000L - 1, 1, 0), "one byte before");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0x10_000L + 4096, 1, 0), "one byte after");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0x10_000L + 1, 4096, 0), "spans the end");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0x10_000L, -1, 0), "negative length");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0x10_000L + 8, Long.MAX_VALUE, 0), "overflowing length");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, -1L, 2, 0), "address at 2^64 - 1");
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, Long.MIN_VALUE + 0x10_000L, 1, 0), "address above 2^63");
        assertNull(t.memoryRegion());
        assertFalse(t.next());
    }

    @Test
    void anIovaNearTheTopOfTheAddressSpaceIsCheckedWithoutOverflow() {
        long top = -4096L;
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, top, 0);
        assertEquals(AccessStatus.OK, lookup(mr, -1L, 1, 0));
        assertTrue(t.next());
        assertEquals(4095, t.offset());
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, -1L, 2, 0));
        assertEquals(AccessStatus.OUT_OF_BOUNDS, lookup(mr, 0, 1, 0));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, 0, 4096, -4095L, 0)),
                "passes 2^64");
    }

    @Test
    void keysThatNameNoRegionAreBadKeys() {
        MemoryRegion mr = pd.regMr(buffer, 0);
        int key = mr.lkey();
        assertEquals(AccessStatus.BAD_KEY, table.lookup(key & 0xff, 0, 1, 0, pd, t), "index 0 is never used");
        assertEquals(AccessStatus.BAD_KEY, table.lookup(65 << 8, 0, 1, 0, pd, t), "beyond the table");
        assertEquals(AccessStatus.BAD_KEY, table.lookup(-1, 0, 1, 0, pd, t), "index 2^24 - 1");
        assertEquals(AccessStatus.BAD_KEY, table.lookup(((key >>> 8) + 1) << 8, mr.iova(), 1, 0, pd, t), "free slot");
        mr.deregister();
        assertEquals(AccessStatus.BAD_KEY, table.lookup(key, mr.iova(), 1, 0, pd, t), "deregistered");
    }

    @Test
    void reregistrationBumpsTheVariantSoTheOldKeyIsStale() {
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, LOCAL_WRITE);
        int old = mr.lkey();
        int fresh = mr.rereg(buffer, 4096, 4096, LOCAL_WRITE | REMOTE_READ);
        assertEquals(fresh, mr.lkey());
        assertEquals(old >>> 8, fresh >>> 8);
        assertEquals((old + 1) & 0xff, fresh & 0xff);
        assertEquals(AccessStatus.STALE_KEY, table.lookup(old, buffer.segment().address() + 4096, 1, 0, pd, t));
        assertEquals(AccessStatus.OK, table.lookup(fresh, buffer.segment().address() + 4096, 1, REMOTE_READ, pd, t));
        assertTrue(t.next());
        assertEquals(4096, t.offset());
        assertEquals(1, buffer.registrationCount(), "the old registration's pin is released");
    }

    @Test
    void aRefusedReregistrationLeavesTheRegionAsItWas() {
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, LOCAL_WRITE | REMOTE_READ);
        int key = mr.lkey();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.rereg(buffer, 0, 4096, REMOTE_WRITE)),
                "requires LOCAL_WRITE");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.rereg(buffer, 8192, 8193, 0)),
                "length = 8193");
        AlignedBuffer closed = AlignedBuffer.allocate(64, Alignment.CACHE_LINE);
        closed.close();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> mr.rereg(closed, 0, 64, 0)), "is closed");
        assertEquals(key, mr.lkey());
        assertEquals(AccessStatus.OK, table.lookup(key, buffer.segment().address() + 4095, 1, REMOTE_READ, pd, t));
        assertEquals(1, buffer.registrationCount());
        MemoryRegion fast = pd.allocMr(MrType.PAGE_LIST, 1);
        assertMessage(assertThrows(IllegalStateException.class, () -> fast.rereg(buffer, 0, 64, 0)),
                "rereg needs a DIRECT region");
        mr.deregister();
        assertMessage(assertThrows(IllegalStateException.class, () -> mr.rereg(buffer, 0, 64, 0)), "deregistered");
    }

    @Test
    void theVariantWrapsAfter256Registrations() {
        MemoryRegion mr = pd.regMr(buffer, 0, 64, 0);
        int first = mr.lkey();
        for (int i = 0; i < 255; i++) {
            assertNotEquals(first, mr.rereg(buffer, 0, 64, 0));
        }
        assertEquals(first, mr.rereg(buffer, 0, 64, 0));
    }

    @Test
    void aDeregisteredIndexComesBackWithAnotherVariant() {
        KeyTable small = KeyTable.create(1);
        ProtectionDomain p = small.allocPd();
        MemoryRegion a = p.regMr(buffer, 0);
        int oldKey = a.lkey();
        a.deregister();
        MemoryRegion b = p.regMr(buffer, 0);
        assertEquals(oldKey >>> 8, b.lkey() >>> 8);
        assertEquals(AccessStatus.STALE_KEY, small.lookup(oldKey, buffer.segment().address(), 1, 0, p, t));
    }

    @Test
    void anotherPdsKeyIsRefused() {
        MemoryRegion mr = pd.regMr(buffer, LOCAL_WRITE | REMOTE_WRITE);
        assertEquals(AccessStatus.WRONG_PD, table.lookup(mr.rkey(), mr.iova(), 8, REMOTE_WRITE, otherPd, t));
        ProtectionDomain foreign = KeyTable.create(4).allocPd();
        assertEquals(AccessStatus.WRONG_PD, table.lookup(mr.rkey(), mr.iova(), 8, 0, foreign, t));
    }

    @Test
    void accessThatIsNotGrantedIsDenied() {
        MemoryRegion readOnly = pd.regMr(buffer, 0, 4096, REMOTE_READ);
        assertEquals(AccessStatus.OK, lookup(readOnly, readOnly.iova(), 8, 0));
        assertEquals(AccessStatus.OK, lookup(readOnly, readOnly.iova(), 8, REMOTE_READ));
        assertEquals(AccessStatus.ACCESS_DENIED, lookup(readOnly, readOnly.iova(), 8, LOCAL_WRITE));
        assertEquals(AccessStatus.ACCESS_DENIED, lookup(readOnly, readOnly.iova(), 8, REMOTE_WRITE));
        assertEquals(AccessStatus.ACCESS_DENIED, lookup(readOnly, readOnly.iova(), 8, REMOTE_ATOMIC));
        assertEquals(AccessStatus.ACCESS_DENIED, lookup(readOnly, readOnly.iova(), 8, 0x100), "unknown flag");
    }

    @Test
    void registrationEnforcesTheIbtaAccessRule() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, REMOTE_WRITE)),
                "access = REMOTE_WRITE", "requires LOCAL_WRITE");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, REMOTE_ATOMIC | REMOTE_READ)),
                "REMOTE_ATOMIC", "requires LOCAL_WRITE");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, 0x30)),
                "access = 0x30", "unknown bits 0x30");
        assertEquals(0, buffer.registrationCount(), "a refused registration pins nothing");
        assertEquals(0, table.regionCount(), "and takes no key");
    }

    @Test
    void registrationRefusesRangesOutsideTheMemory() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, 0, 16385, 0)),
                "length = 16385", "[1, 16384]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, 16384, 1, 0)),
                "length = 1", "[1, 0]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, -1, 1, 0)),
                "offset = -1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(buffer, 0, 0, 0)),
                "length = 0");
        assertMessage(assertThrows(NullPointerException.class, () -> pd.regMr(null, 0)), "memory");
    }

    @Test
    void zeroLengthAccessesAreGrantedWithoutTheKeyAsVerbsDoes() {
        assertEquals(AccessStatus.OK, table.lookup(0xdeadbeef, 12345, 0, REMOTE_WRITE, otherPd, t));
        assertEquals(0, t.byteCount());
        assertFalse(t.next());
        assertEquals(0, t.copyFrom(arena.allocate(8), 0));
    }

    @Test
    void remoteAtomicsMustBeEightAlignedBytes() {
        MemoryRegion mr = pd.regMr(buffer, 0, 4096, LOCAL_WRITE | REMOTE_ATOMIC);
        assertEquals(AccessStatus.OK, lookup(mr, mr.iova() + 8, 8, REMOTE_ATOMIC));
        assertEquals(AccessStatus.MISALIGNED_ATOMIC, lookup(mr, mr.iova() + 4, 8, REMOTE_ATOMIC));
        assertEquals(AccessStatus.MISALIGNED_ATOMIC, lookup(mr, mr.iova() + 8, 4, REMOTE_ATOMIC));
        MemoryRegion odd = pd.regMr(buffer, 4, 64, 0x2000, LOCAL_WRITE | REMOTE_ATOMIC);
        assertEquals(AccessStatus.MISALIGNED_ATOMIC, table.lookup(odd.rkey(), 0x2000, 8, REMOTE_ATOMIC, pd, t),
                "aligned iova over a misaligned address");
    }

    @Test
    void thereIsNoGlobalRkey() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, pd::unsafeGlobalRkey);
        assertMessage(e, "no global rkey", "IB_PD_UNSAFE_GLOBAL_RKEY");
    }

    @Test
    void aPdWithRegionsCannotBeDeallocated() {
        MemoryRegion mr = pd.regMr(buffer, 0);
        assertMessage(assertThrows(IllegalStateException.class, pd::dealloc), "PD " + pd.id(), "1 memory region");
        mr.deregister();
        mr.deregister();
        pd.dealloc();
        assertMessage(assertThrows(IllegalStateException.class, () -> pd.regMr(buffer, 0)), "deallocated");
    }

    @Test
    void aFullTableIsRefusedNamingTheLimit() {
        KeyTable small = KeyTable.create(2);
        ProtectionDomain p = small.allocPd();
        p.regMr(buffer, 0);
        p.regMr(buffer, 0);
        assertMessage(assertThrows(IllegalStateException.class, () -> p.regMr(buffer, 0)), "all 2 memory regions");
        assertEquals(2, buffer.registrationCount());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> KeyTable.create(0)), "maxRegions = 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> KeyTable.create(1 << 24)),
                "[1, " + KeyTable.MAX_REGIONS + "]");
    }

    @Test
    void aDirectRegionIsNotInvalidated() {
        MemoryRegion mr = pd.regMr(buffer, LOCAL_WRITE | REMOTE_READ);
        assertMessage(assertThrows(IllegalStateException.class, () -> mr.invalidate(mr.lkey())), "reg_mr region");
        assertEquals(AccessStatus.NOT_INVALIDATABLE, table.localInvalidate(mr.lkey(), pd));
        assertEquals(AccessStatus.NOT_INVALIDATABLE, table.remoteInvalidate(mr.rkey(), pd));
        assertTrue(mr.isValid());
    }
}
