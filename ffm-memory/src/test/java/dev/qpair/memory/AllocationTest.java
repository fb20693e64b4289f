package dev.qpair.memory;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static dev.qpair.memory.AccessFlags.LOCAL_WRITE;
import static dev.qpair.memory.AccessFlags.REMOTE_ATOMIC;
import static dev.qpair.memory.AccessFlags.REMOTE_READ;
import static dev.qpair.memory.AccessFlags.REMOTE_WRITE;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.barriers.testing.AllocationMeter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The device's hot path (lookup, then a copy per piece) and the pool's acquire/release allocate nothing. */
class AllocationTest {

    private static final long CALLS = 200_000;
    private static final int PAGE = 4096;

    private final KeyTable table = KeyTable.create(64);
    private final ProtectionDomain pd = table.allocPd();
    private final ProtectionDomain otherPd = table.allocPd();
    private final AlignedBuffer a = AlignedBuffer.allocate(8 * PAGE, Alignment.PAGE);
    private final AlignedBuffer b = AlignedBuffer.allocate(8 * PAGE, Alignment.PAGE);
    private final Translation t = new Translation();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment wire = arena.allocate(4 * PAGE, 64);
    private long sink;
    private Object escape;

    @AfterEach
    void close() {
        arena.close();
    }

    private void copyIn() {
        long done = 0;
        while (t.next()) {
            MemorySegment.copy(wire, done, t.segment(), t.offset(), t.length());
            done += t.length();
        }
        sink += done;
    }

    /**
     * Passes when one of three measured runs of {@code CALLS} operations allocates nothing. A path
     * that allocates per operation allocates in every run; a one-off in a single run (a deoptimization
     * that rematerializes a scalar-replaced object, say) does not fail the test.
     */
    private static void assertAllocatesNothing(AllocationMeter.Operation operation) throws Throwable {
        long[] runs = new long[3];
        for (int run = 0; run < runs.length; run++) {
            runs[run] = bytesAllocatedBy(CALLS, operation);
            if (runs[run] == 0) {
                return;
            }
        }
        throw new AssertionError("allocated " + Arrays.toString(runs) + " bytes in three runs of " + CALLS + " operations");
    }

    @Test
    void theHarnessFailsAnOperationThatAllocates() {
        assertThrows(AssertionError.class, () -> assertAllocatesNothing(i -> escape = new long[2]));
    }

    @Test
    void theMeterSeesAnAllocationInTheSameHarness() throws Throwable {
        long bytes = bytesAllocatedBy(10_000, i -> sink += new Translation().byteCount());
        assertTrue(bytes >= 10_000 * 16, "ten thousand Translations, measured " + bytes + " bytes");
    }

    @Test
    void directLookupAndCopyAllocateNothing() throws Throwable {
        MemoryRegion mr = pd.regMr(a, LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ | REMOTE_ATOMIC);
        int key = mr.rkey();
        long iova = mr.iova();
        assertAllocatesNothing(i -> {
            long off = (i * 64) & (4 * PAGE - 1);
            if (table.lookup(key, iova + off, 1024, REMOTE_WRITE, pd, t) != AccessStatus.OK) {
                throw new AssertionError(t);
            }
            copyIn();
            if (table.lookup(key, iova + (off & ~7), 8, REMOTE_ATOMIC, pd, t) != AccessStatus.OK) {
                throw new AssertionError(t);
            }
            sink += t.copyTo(wire, 0);
        });
    }

    @Test
    void pageListLookupAndCopyAllocateNothing() throws Throwable {
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 16);
        int key = mr.mapPages(PAGE, LOCAL_WRITE | REMOTE_WRITE, new ScatterEntry(a, 100, 2 * PAGE - 100),
                new ScatterEntry(b, PAGE, 3 * PAGE), new ScatterEntry(a, 4 * PAGE, 500));
        long iova = mr.iova();
        assertAllocatesNothing(i -> {
            long off = (i * 97) % (mr.length() - 3 * PAGE);
            if (table.lookup(key, iova + off, 3 * PAGE, REMOTE_WRITE, pd, t) != AccessStatus.OK) {
                throw new AssertionError(t);
            }
            copyIn();
        });
    }

    @Test
    void indirectLookupAndCopyAllocateNothing() throws Throwable {
        MemoryRegion mrA = pd.regMr(a, LOCAL_WRITE);
        MemoryRegion mrB = pd.regMr(b, LOCAL_WRITE);
        MemoryRegion ind = pd.allocMr(MrType.INDIRECT, 8);
        int key = ind.mapIndirect(0, LOCAL_WRITE | REMOTE_WRITE,
                new Sge(mrA.lkey(), mrA.iova() + 3, 1000), new Sge(mrB.lkey(), mrB.iova() + 7, 13),
                new Sge(mrA.lkey(), mrA.iova() + 5000, 3001), new Sge(mrB.lkey(), mrB.iova() + 9999, 777));
        long length = ind.length();
        assertAllocatesNothing(i -> {
            long off = i % (length - 2000);
            if (table.lookup(key, off, 2000, REMOTE_WRITE, pd, t) != AccessStatus.OK) {
                throw new AssertionError(t);
            }
            copyIn();
        });
    }

    @Test
    void refusalsAllocateNothing() throws Throwable {
        MemoryRegion mr = pd.regMr(a, 0, PAGE, REMOTE_READ);
        MemoryRegion invalid = pd.allocMr(MrType.PAGE_LIST, 1);
        int key = mr.rkey();
        long iova = mr.iova();
        assertAllocatesNothing(i -> {
            int s = table.lookup(0, iova, 8, 0, pd, t)
                    + table.lookup(key ^ 1, iova, 8, 0, pd, t)
                    + table.lookup(key, iova, 8, 0, otherPd, t)
                    + table.lookup(invalid.lkey(), 0, 8, 0, pd, t)
                    + table.lookup(key, iova, 8, REMOTE_WRITE, pd, t)
                    + table.lookup(key, iova + i, PAGE, REMOTE_READ, pd, t)
                    + table.lookup(key, iova, -1, 0, pd, t);
            if (s != AccessStatus.BAD_KEY + AccessStatus.STALE_KEY + AccessStatus.WRONG_PD + AccessStatus.INVALIDATED
                    + AccessStatus.ACCESS_DENIED + (i == 0 ? 0 : AccessStatus.OUT_OF_BOUNDS) + AccessStatus.OUT_OF_BOUNDS) {
                throw new AssertionError("statuses summed to " + s + " at " + i);
            }
        });
    }

    @Test
    void poolAcquireAndReleaseAllocateNothing() throws Throwable {
        try (MrPool pool = MrPool.pageList(pd, 4, 1 << 20, PAGE)) {
            assertAllocatesNothing(i -> {
                MemoryRegion x = pool.tryAcquire();
                MemoryRegion y = pool.tryAcquire();
                pool.release(x);
                pool.release(y);
            });
        }
    }
}
