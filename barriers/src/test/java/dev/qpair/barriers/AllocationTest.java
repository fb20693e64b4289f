package dev.qpair.barriers;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every primitive is called a million times (after as many warm-up calls) and allocates nothing. */
class AllocationTest {

    private static final long CALLS = 1_000_000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private long sink;
    private Object escape;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void theMeterSeesAllocation() throws Throwable {
        long bytes = bytesAllocatedBy(10_000, i -> escape = new long[8]);
        assertTrue(bytes >= 10_000 * 64, "ten thousand 64-byte arrays, measured " + bytes + " bytes");
    }

    @Test
    void theMeterSeesOneAllocationPerThousandOperations() throws Throwable {
        long bytes = bytesAllocatedBy(10_000, i -> {
            if (i % 1_000 == 0) {
                escape = new long[8];
            }
        });
        assertTrue(bytes >= 10 * 64, "ten 64-byte arrays in every window, measured " + bytes + " bytes");
    }

    @Test
    void theMeterIgnoresAOneTimeAllocationInOneWindow() throws Throwable {
        long[] calls = {0};
        long bytes = bytesAllocatedBy(10_000, i -> {
            if (++calls[0] == 15_000) {
                escape = new long[8];
            }
        });
        assertEquals(0, bytes, "the call 15,000 allocates once, in the first measured window only");
    }

    @Test
    void fencesAllocateNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            Barriers.mb();
            Barriers.rmb();
            Barriers.wmb();
            Barriers.dmaRmb();
            Barriers.dmaWmb();
            Barriers.mmiowb();
        }));
    }

    @Test
    void publicationAccessorsAllocateNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            long offset = (i & 63) << 3;
            Barriers.smpStoreReleaseInt(page, offset, (int) i);
            Barriers.smpStoreReleaseLong(page, offset, i);
            Barriers.writeOnceInt(page, offset + 4, (int) i);
            Barriers.writeOnceLong(page, offset, i);
            sink += Barriers.smpLoadAcquireInt(page, offset) + Barriers.smpLoadAcquireLong(page, offset)
                    + Barriers.readOnceInt(page, offset) + Barriers.readOnceLong(page, offset);
        }));
    }

    @Test
    void mmioAccessorsAllocateNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            long offset = (i & 511) << 3;
            Mmio.writel(page, offset, (int) i);
            Mmio.writelRelaxed(page, offset + 4, (int) i);
            Mmio.writeq(page, offset, i);
            Mmio.writeqRelaxed(page, offset, i);
            sink += Mmio.readl(page, offset) + Mmio.readlRelaxed(page, offset + 4)
                    + Mmio.readq(page, offset) + Mmio.readqRelaxed(page, offset);
        }));
    }

    @Test
    void doorbellLockAllocatesNothing() throws Throwable {
        DoorbellLock lock = new DoorbellLock();
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            lock.lock();
            Mmio.writel(page, 0, (int) i);
            lock.unlock();
            if (lock.tryLock()) {
                lock.unlock();
            }
        }));
    }
}
