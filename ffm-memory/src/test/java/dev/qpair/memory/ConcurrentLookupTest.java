package dev.qpair.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A device thread looks up while an application thread re-registers the same region between two
 * registrations that differ in every field (memory, offset, iova, length, access), and invalidates
 * and maps a page-list region. Every grant must be wholly one registration: a mix of fields from two
 * (a torn read) would translate an address of one into the memory of the other.
 */
class ConcurrentLookupTest {

    private static final long LOOKUPS = 400_000;

    @Test
    void aLookupNeverSeesHalfARegistration() throws Exception {
        KeyTable table = KeyTable.create(8);
        ProtectionDomain pd = table.allocPd();
        AlignedBuffer x = AlignedBuffer.allocate(8192, Alignment.PAGE);
        AlignedBuffer y = AlignedBuffer.allocate(8192, Alignment.PAGE);
        MemoryRegion mr = pd.regMr(x, 0, 4096, 0x1000, AccessFlags.REMOTE_READ);
        MemoryRegion pages = pd.allocMr(MrType.PAGE_LIST, 2);
        AtomicBoolean done = new AtomicBoolean();

        CompletableFuture<Long> application = CompletableFuture.supplyAsync(() -> {
            long changes = 0;
            while (!done.get()) {
                if ((changes & 1) == 0) {
                    mr.rereg(y, 100, 1000, 0x9000, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
                    pages.mapPages(4096, AccessFlags.REMOTE_READ, new ScatterEntry(y, 4096, 4096));
                } else {
                    mr.rereg(x, 0, 4096, 0x1000, AccessFlags.REMOTE_READ);
                    pages.invalidate(pages.lkey());
                }
                changes++;
            }
            return changes;
        });

        Translation t = new Translation();
        long grantsX = 0;
        long grantsY = 0;
        long grantsPages = 0;
        try {
            for (long i = 0; i < LOOKUPS; i++) {
                long addr = (i & 1) == 0 ? 0x1000 + (i & 4095) : 0x9000 + (i % 1000);
                int access = (i & 2) == 0 ? AccessFlags.REMOTE_READ : AccessFlags.REMOTE_WRITE;
                if (table.lookup(mr.rkey(), addr, 1, access, pd, t) == AccessStatus.OK) {
                    t.next();
                    if (t.segment() == x.segment()) {
                        assertTrue(addr >= 0x1000 && addr < 0x2000 && access == AccessFlags.REMOTE_READ, t.toString());
                        assertEquals(addr - 0x1000, t.offset());
                        grantsX++;
                    } else {
                        assertTrue(t.segment() == y.segment() && addr >= 0x9000 && addr < 0x9000 + 1000
                                && access == AccessFlags.REMOTE_WRITE);
                        assertEquals(100 + addr - 0x9000, t.offset());
                        grantsY++;
                    }
                }
                int key = pages.rkey();
                long pageAddr = y.segment().address() + 4096 + (i & 4095);
                if (table.lookup(key, pageAddr, 1, AccessFlags.REMOTE_READ, pd, t) == AccessStatus.OK) {
                    t.next();
                    assertTrue(t.segment() == y.segment());
                    assertEquals(4096 + (i & 4095), t.offset());
                    grantsPages++;
                }
            }
        } finally {
            done.set(true);
        }
        long changes = application.get(60, TimeUnit.SECONDS);
        assertTrue(grantsX + grantsY > 0, "no grant at all");
        assertTrue(changes > 0, "the application thread never re-registered");
        System.out.printf("ConcurrentLookupTest: %d re-registrations, grants x=%d y=%d pages=%d%n",
                changes, grantsX, grantsY, grantsPages);
    }
}
