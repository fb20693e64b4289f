package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DoorbellQueueTest {

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void slotsAre128BytesWithTheDoorbellAfterTheBlueFlameCopy() {
        assertEquals(128, DoorbellQueue.SLOT.byteSize());
        assertEquals(256, DoorbellQueue.CONTROL.byteSize());
        DoorbellQueue q = DoorbellQueue.allocate(arena, 4);
        assertEquals(0, q.slots().address() % 128, "a slot is one aligned pair of lines");
        long p = q.claim();
        q.publish(p, 0x123456, 77, 2);
        assertEquals(0x123456 | 2 << 24, q.slots().get(JAVA_INT, 116));
        assertEquals(77, q.slots().get(JAVA_INT, 120));
        assertEquals(1, q.slots().get(JAVA_INT, 124), "seq is position + 1");
    }

    @Test
    void aPublishedSlotIsPolledOnceInOrderAcrossManyWraps() {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 4);
        for (int i = 0; i < 4 * 10 + 3; i++) {
            assertEquals(DoorbellQueue.EMPTY, q.pollAcquire(), "nothing before the publish");
            long p = q.claim();
            assertEquals(i, p);
            assertEquals(DoorbellQueue.EMPTY, q.pollAcquire(), "a claimed slot is not published");
            q.publish(p, i + 1, 1000 + i, i & 1);
            long slot = q.pollAcquire();
            assertNotEquals(DoorbellQueue.EMPTY, slot);
            assertEquals((i & 3) * 128L, slot);
            assertEquals(i + 1, q.qpn(slot));
            assertEquals(1000 + i, q.producer(slot));
            assertEquals(i & 1, q.blueFlameBlocks(slot));
            assertEquals(i, q.consumerPosition());
            q.releaseSlot();
            assertEquals(i + 1, q.consumedAcquire());
            assertEquals(i + 1, q.claimedAcquire());
        }
    }

    @Test
    void theHostReadsTheDeviceConsumerIndexAfterThePublishThatFillsHalfTheQueueByItsCache() {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 8);
        for (int i = 0; i < 3; i++) {
            q.publish(q.claim(), 5, i, 0);
        }
        q.pollAcquire();
        q.releaseSlot();
        q.pollAcquire();
        q.releaseSlot();
        assertEquals(0, q.control().get(JAVA_INT, 4), "not read while the cache says under half used");
        q.publish(q.claim(), 5, 3, 0);
        assertEquals(2, q.control().get(JAVA_INT, 4), "read after the publish that made the cache say half used");
        q.publish(q.claim(), 5, 4, 0);
        assertEquals(2, q.control().get(JAVA_INT, 4), "not read again before the next half mark");
    }

    @Test
    void aFullQueueRefusesAClaimUntilTheDeviceReleasesASlotAndLosesNothing() {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 8);
        for (int i = 0; i < 8; i++) {
            q.publish(q.claim(), 5, i, 0);
        }
        assertEquals(DoorbellQueue.FULL, q.claim(), "the ninth doorbell would overwrite the first");
        assertEquals(DoorbellQueue.FULL, q.claim());
        long slot = q.pollAcquire();
        assertEquals(0, q.producer(slot));
        q.releaseSlot();
        long p = q.claim();
        assertEquals(8, p, "one slot freed, one claim");
        assertEquals(DoorbellQueue.FULL, q.claim());
        q.publish(p, 5, 8, 0);
        for (int i = 1; i <= 8; i++) {
            slot = q.pollAcquire();
            assertEquals(i, q.producer(slot), "every doorbell arrives once, in claim order");
            q.releaseSlot();
        }
        assertEquals(DoorbellQueue.EMPTY, q.pollAcquire());
    }

    @Test
    @Timeout(60)
    void manyHostThreadsRingAndTheDeviceSeesEveryDoorbellOnce() throws Exception {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 16);
        int threads = 3;
        int each = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> hosts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread h = new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        long p;
                        while ((p = q.claim()) == DoorbellQueue.FULL) {
                            Thread.onSpinWait();
                        }
                        q.publish(p, id, i, 0);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            hosts.add(h);
            h.start();
        }
        int[] next = new int[threads];
        for (int seen = 0; seen < threads * each; ) {
            long slot = q.pollAcquire();
            if (slot == DoorbellQueue.EMPTY) {
                Thread.onSpinWait();
                continue;
            }
            int id = q.qpn(slot);
            assertEquals(next[id], q.producer(slot), "each host's doorbells arrive once, in its order");
            next[id]++;
            q.releaseSlot();
            seen++;
        }
        for (Thread h : hosts) {
            h.join();
        }
        assertEquals(null, failure.get());
        assertEquals(DoorbellQueue.EMPTY, q.pollAcquire());
    }

    @Test
    void theBlueFlameCopyTakesTheWqeBytesAcrossTheRingsEnd() {
        MemorySegment ring = arena.allocate(4 * SendWqe.BASIC_BLOCK_SIZE, 256);
        for (int i = 0; i < ring.byteSize() / 8; i++) {
            ring.set(JAVA_LONG, i * 8L, 0x1111_0000L + i);
        }
        DoorbellQueue q = DoorbellQueue.allocate(arena, 2);
        long p = q.claim();
        SendWqe w = new SendWqe(ring).at(3);
        q.copyBlueFlame(p, w, DoorbellQueue.BLUEFLAME_BYTES);
        q.publish(p, 1, 5, 2);
        MemorySegment copy = q.blueFlame(q.indexOf(0));
        assertEquals(128, copy.byteSize());
        for (int i = 0; i < 8; i++) {
            assertEquals(0x1111_0000L + 24 + i, copy.get(JAVA_LONG, i * 8L), "block 3 of the ring");
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(0x1111_0000L + i, copy.get(JAVA_LONG, 64 + i * 8L), "then block 0, after the wrap");
        }
        assertEquals(1 | 2 << 24, copy.get(JAVA_INT, 116), "the copy stops before the doorbell");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.copyBlueFlame(p, w, 117));
        assertTrue(e.getMessage().contains("117") && e.getMessage().contains("116"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> q.copyBlueFlame(p, w, 0));
    }

    @Test
    void garbageInASlotIsReturnedRawForTheDeviceToValidate() {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 2);
        q.slots().fill((byte) 0xff);
        assertEquals(DoorbellQueue.EMPTY, q.pollAcquire(), "a garbage seq is not the expected one");
        q.slots().set(JAVA_INT, 124, 1);
        long slot = q.pollAcquire();
        assertEquals(0xff_ffff, q.qpn(slot));
        assertEquals(-1, q.producer(slot));
        assertEquals(255, q.blueFlameBlocks(slot));
    }

    @Test
    void touchNextReadsTheNextSlotsFirstWordWithoutConsumingIt() {
        DoorbellQueue q = DoorbellQueue.allocate(arena, 2);
        q.slots().set(JAVA_LONG, 128, 0x1234_5678_9abcL);
        q.publish(q.claim(), 1, 1, 0);
        q.releaseSlot();
        assertEquals(0x1234_5678_9abcL, q.touchNext(), "position 1 is slot 1");
        assertEquals(1, q.consumerPosition());
        assertEquals(DoorbellQueue.EMPTY, q.pollAcquire());
    }

    @Test
    void badArgumentsNameTheLimit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DoorbellQueue.allocate(arena, 3));
        assertTrue(e.getMessage().contains("doorbell queue capacity"), e.getMessage());
        DoorbellQueue q = DoorbellQueue.allocate(arena, 2);
        IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class, () -> q.blueFlame(2));
        assertTrue(o.getMessage().contains("[0, 1]"), o.getMessage());
    }
}
