package dev.qpair.barriers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DoorbellLockTest {

    @Test
    void unlockByAThreadThatDoesNotHoldTheLockIsRefused() throws Exception {
        DoorbellLock lock = new DoorbellLock();
        IllegalMonitorStateException free = assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertTrue(free.getMessage().contains("does not hold the lock"), free.getMessage());

        lock.lock();
        AtomicReference<Throwable> other = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                lock.unlock();
            } catch (Throwable e) {
                other.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(other.get() instanceof IllegalMonitorStateException, String.valueOf(other.get()));
        assertTrue(lock.isHeldByCurrentThread(), "the refused unlock did not release the lock");
        lock.unlock();
        assertFalse(lock.isHeldByCurrentThread());
    }

    @Test
    void tryLockFailsWhileHeldAndSucceedsWhenFree() throws Exception {
        DoorbellLock lock = new DoorbellLock();
        assertTrue(lock.tryLock());
        boolean[] otherGotIt = new boolean[1];
        Thread t = new Thread(() -> otherGotIt[0] = lock.tryLock());
        t.start();
        t.join();
        assertFalse(otherGotIt[0]);
        lock.unlock();
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    /**
     * Two posters share one producer index and one doorbell register under the lock, as threads
     * sharing a QP do. Every post must land in its own slot, and the doorbell must end at the
     * total: no post lost, no doorbell overtaken by an earlier holder's.
     */
    @Test
    void postersUnderTheLockNeverLoseAPostOrADoorbell() throws Exception {
        int perThread = 50_000;
        DoorbellLock lock = new DoorbellLock();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ring = arena.allocate((long) 2 * perThread * Integer.BYTES, 64);
            MemorySegment doorbell = arena.allocate(4096, 4096);
            int[] producer = new int[1];
            Runnable poster = () -> {
                int id = Thread.currentThread().getName().equals("a") ? 1 : 2;
                for (int i = 0; i < perThread; i++) {
                    lock.lock();
                    try {
                        int slot = producer[0]++;
                        ring.setAtIndex(ValueLayout.JAVA_INT, slot, id);
                        Mmio.writel(doorbell, 0, producer[0]);
                    } finally {
                        lock.unlock();
                    }
                }
            };
            Thread a = new Thread(poster, "a");
            Thread b = new Thread(poster, "b");
            a.start();
            b.start();
            a.join();
            b.join();
            assertEquals(2 * perThread, producer[0]);
            assertEquals(2 * perThread, Mmio.readl(doorbell, 0));
            int[] count = new int[3];
            for (int slot = 0; slot < 2 * perThread; slot++) {
                count[ring.getAtIndex(ValueLayout.JAVA_INT, slot)]++;
            }
            assertEquals(0, count[0], "no empty slot");
            assertEquals(perThread, count[1]);
            assertEquals(perThread, count[2]);
        }
    }
}
