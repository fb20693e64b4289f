package dev.qpair.memory;

import static dev.qpair.memory.AccessFlags.LOCAL_WRITE;
import static dev.qpair.memory.AccessFlags.REMOTE_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MrPoolTest {

    private static final int PAGE = 4096;

    private final KeyTable table = KeyTable.create(64);
    private final ProtectionDomain pd = table.allocPd();
    private final AlignedBuffer buffer = AlignedBuffer.allocate(1 << 20, Alignment.PAGE);

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void thePoolIsSizedFromTheHints() {
        try (MrPool pool = MrPool.pageList(pd, 16, 1 << 20, PAGE)) {
            assertEquals(16, pool.capacity());
            assertEquals(16, pool.available());
            assertEquals(256 + 1, pool.maxEntries(), "1 MiB in 4 KiB pages, plus one for a first-byte offset");
            assertEquals(16, pd.regionCount());
            MemoryRegion mr = pool.tryAcquire();
            assertEquals(MrType.PAGE_LIST, mr.type());
            mr.mapPages(PAGE, LOCAL_WRITE, new ScatterEntry(buffer, 1, 1 << 19));
            mr.invalidate(mr.lkey());
            mr.mapPages(PAGE, LOCAL_WRITE, new ScatterEntry(buffer, 100, (1 << 20) - 100));
            pool.release(mr);
        }
        assertEquals(0, pd.regionCount(), "close deregisters every region");
        try (MrPool ind = MrPool.indirect(pd, 2, 32)) {
            assertEquals(MrType.INDIRECT, ind.type());
            assertEquals(32, ind.maxEntries());
        }
    }

    @Test
    void anEmptyPoolAnswersNullAndCountsTheMiss() {
        try (MrPool pool = MrPool.pageList(pd, 2, PAGE, PAGE)) {
            MemoryRegion x = pool.tryAcquire();
            MemoryRegion y = pool.tryAcquire();
            assertNotNull(x);
            assertNotNull(y);
            assertNull(pool.tryAcquire());
            assertNull(pool.tryAcquire());
            assertEquals(2, pool.misses());
            assertEquals(2, pool.acquired());
            assertEquals(2, pool.inUse());
            pool.release(x);
            assertSame(x, pool.tryAcquire());
            pool.release(x);
            pool.release(y);
        }
    }

    @Test
    void aWaiterGetsTheRegionThatIsReleased() throws Exception {
        try (MrPool pool = MrPool.pageList(pd, 1, PAGE, PAGE)) {
            MemoryRegion only = pool.tryAcquire();
            only.mapPages(PAGE, LOCAL_WRITE | REMOTE_READ, new ScatterEntry(buffer, 0, PAGE));
            int key = only.rkey();
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<MemoryRegion> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    waiting.countDown();
                    return pool.acquire(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(waiting.await(30, TimeUnit.SECONDS));
            pool.release(only);
            assertSame(only, waiter.get(30, TimeUnit.SECONDS));
            assertFalse(only.isValid(), "release invalidated the region");
            assertEquals(AccessStatus.INVALIDATED, table.lookup(key, buffer.segment().address(), 1, 0, pd, new Translation()));
            assertNull(pool.acquire(1, TimeUnit.MILLISECONDS), "empty again: the timed wait gives up");
            pool.release(only);
        }
    }

    @Test
    void misuseIsRefusedNamingTheArgument() {
        try (MrPool pool = MrPool.pageList(pd, 1, PAGE, PAGE)) {
            MemoryRegion foreign = pd.allocMr(MrType.PAGE_LIST, 1);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> pool.release(foreign)), "not from this pool");
            MemoryRegion mr = pool.tryAcquire();
            pool.release(mr);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> pool.release(mr)), "released twice");
            MemoryRegion held = pool.tryAcquire();
            assertMessage(assertThrows(IllegalStateException.class, pool::close), "1 of its 1 regions");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> pool.acquire(-1, TimeUnit.SECONDS)),
                    "timeout = -1");
            pool.release(held);
            foreign.deregister();
        }
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MrPool.pageList(pd, 0, PAGE, PAGE)),
                "maxOperations = 0", "[1, 65536]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MrPool.pageList(pd, 1, 0, PAGE)),
                "maxBytesPerOperation = 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MrPool.pageList(pd, 1, PAGE, 1000)),
                "pageSize = 1000");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> MrPool.indirect(pd, 1, 0)),
                "maxSgesPerOperation = 0");
        KeyTable small = KeyTable.create(3);
        ProtectionDomain p = small.allocPd();
        assertMessage(assertThrows(IllegalStateException.class, () -> MrPool.pageList(p, 4, PAGE, PAGE)), "all 3");
        assertEquals(0, small.regionCount(), "a pool that does not fit keeps nothing");
    }
}
