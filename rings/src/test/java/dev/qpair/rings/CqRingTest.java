package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CqRingTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static void produce(CqProducer producer, Cqe cqe, long wrId) {
        long offset = producer.claim();
        assertTrue(offset >= 0, "claim of wr_id " + wrId);
        cqe.at(producer.entries(), offset).wrId(wrId).byteLen((int) wrId).status(WcStatus.SUCCESS);
        producer.publishOwnerRelease();
    }

    @Test
    void aZeroedCqHoldsNoCqe() {
        CqRing cq = CqRing.allocate(arena, 4);
        assertEquals(CqConsumer.CQ_EMPTY, cq.consumer().pollAcquire());
    }

    @Test
    void cqesArriveInOrderOverManyLaps() {
        CqRing cq = CqRing.allocate(arena, 4);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        Cqe r = new Cqe();
        long next = 0;
        for (long id = 0; id < 1000; id++) {
            produce(producer, w, id);
            if (id % 3 == 2) {
                for (long offset; (offset = consumer.pollAcquire()) != CqConsumer.CQ_EMPTY; consumer.advance()) {
                    assertEquals(next, r.at(consumer.entries(), offset).wrId());
                    assertEquals((int) next, r.byteLen());
                    next++;
                }
                consumer.publishConsumerIndexRelease();
            }
        }
        assertEquals(999, next);
        assertEquals(1000, producer.producerIndex());
        assertEquals(999, consumer.consumerIndex());
    }

    @Test
    void pollSeesTheOwnerBitOfThePreviousLapAsEmpty() {
        CqRing cq = CqRing.allocate(arena, 2);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        produce(producer, w, 1);
        produce(producer, w, 2);
        consumer.advance();
        consumer.advance();
        consumer.publishConsumerIndexRelease();
        assertEquals(CqConsumer.CQ_EMPTY, consumer.pollAcquire(), "slot 0 still holds lap 0's owner bit");
        produce(producer, w, 3);
        assertEquals(0, consumer.pollAcquire());
        assertEquals(0, Cqe.readOwnerOnce(cq.entries(), 0), "lap 1 writes owner 0");
    }

    @Test
    void theProducerDetectsOverflowAndNeverOverwritesAnUnconsumedCqe() {
        CqRing cq = CqRing.allocate(arena, 4);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        for (int id = 0; id < 4; id++) {
            produce(producer, w, id);
        }
        assertTrue(producer.isFull());
        assertEquals(CqProducer.CQ_FULL, producer.claim());
        consumer.advance();
        assertEquals(CqProducer.CQ_FULL, producer.claim(), "advanced but not yet published");
        consumer.publishConsumerIndexRelease();
        assertEquals(0, producer.claim());
        assertFalse(producer.isFull());
    }

    @Test
    void theConsumerIndexIsReadAfterThePublishThatFillsHalfTheRingByTheCache() {
        CqRing cq = CqRing.allocate(arena, 8);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        produce(producer, w, 0);
        produce(producer, w, 1);
        consumer.advance();
        consumer.advance();
        consumer.publishConsumerIndexRelease();
        produce(producer, w, 2);
        assertEquals(0, cq.control().get(JAVA_INT, 4), "cached consumer index not read while the cache says under half used");
        produce(producer, w, 3);
        assertEquals(2, cq.control().get(JAVA_INT, 4), "read after the publish that made the cache say half used");
        consumer.advance();
        consumer.publishConsumerIndexRelease();
        produce(producer, w, 4);
        assertEquals(2, cq.control().get(JAVA_INT, 4), "not read again until the cache says half used again");
        produce(producer, w, 5);
        assertEquals(3, cq.control().get(JAVA_INT, 4), "read again at the next half mark");
    }

    @Test
    void aClaimReadsTheConsumerIndexWhenTheCacheSaysFull() {
        CqRing cq = CqRing.allocate(arena, 4);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        produce(producer, w, 0);
        produce(producer, w, 1);
        assertEquals(0, cq.control().get(JAVA_INT, 4), "read at the half mark, before the host consumed anything");
        consumer.advance();
        consumer.advance();
        consumer.publishConsumerIndexRelease();
        produce(producer, w, 2);
        produce(producer, w, 3);
        assertEquals(0, cq.control().get(JAVA_INT, 4), "not read while the cache says neither half used at a publish nor full at a claim");
        produce(producer, w, 4);
        assertEquals(2, cq.control().get(JAVA_INT, 4), "read by the claim the cache said was full");
    }

    @Test
    void aGarbageConsumerIndexReadsAsOverflow() {
        CqRing cq = CqRing.allocate(arena, 4);
        CqProducer producer = cq.producer();
        Cqe w = new Cqe();
        for (int id = 0; id < 4; id++) {
            produce(producer, w, id);
        }
        cq.control().set(JAVA_INT, 128, 1000);
        assertEquals(CqProducer.CQ_FULL, producer.claim(), "a consumer index ahead of the producer");
        cq.control().set(JAVA_INT, 128, -1000);
        assertEquals(CqProducer.CQ_FULL, producer.claim(), "a consumer index more than capacity behind");
    }

    @Test
    void indicesWrapAt2To32() {
        CqRing cq = CqRing.allocate(arena, 4);
        int start = -6;
        for (int k = 0; k < 4; k++) {  // the lap before start was produced and consumed: its owner bits are in place
            Cqe.writeOwnerRelease(cq.entries(), cq.offsetOf(start - 4 + k), RingMath.ownerBit(start - 4 + k, 2));
        }
        cq.control().set(JAVA_INT, 0, start);
        cq.control().set(JAVA_INT, 4, start);
        cq.control().set(JAVA_INT, 128, start);
        cq.control().set(JAVA_INT, 132, start);
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = new Cqe();
        Cqe r = new Cqe();
        for (int id = 0; id < 12; id++) {
            produce(producer, w, id);
            long offset = consumer.pollAcquire();
            assertEquals(cq.offsetOf(start + id), offset, "index " + (start + id));
            assertEquals(id, r.at(cq.entries(), offset).wrId());
            assertEquals(RingMath.ownerBit(start + id, 2), r.ownerOnce());
            consumer.advance();
            consumer.publishConsumerIndexRelease();
            assertEquals(CqConsumer.CQ_EMPTY, consumer.pollAcquire());
        }
        assertEquals(6, producer.producerIndex());
    }

    @Test
    void capacityAndMemoryAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CqRing.allocate(arena, 6));
        assertTrue(e.getMessage().contains("CQ capacity is 6") && e.getMessage().contains(String.valueOf(CqRing.MAX_CAPACITY)),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CqRing.allocate(arena, CqRing.MAX_CAPACITY * 2));
        assertTrue(e.getMessage().contains("is " + CqRing.MAX_CAPACITY * 2), e.getMessage());
        MemorySegment control = arena.allocate(256, 128);
        e = assertThrows(IllegalArgumentException.class, () -> new CqRing(arena.allocate(100, 64), control, Cqe.SIZE));
        assertTrue(e.getMessage().contains("100 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CqRing(arena.allocate(256, 64), arena.allocate(512, 128).asSlice(64, 256), Cqe.SIZE));
        assertTrue(e.getMessage().contains("128-byte aligned"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CqRing.allocate(arena, 4, 96));
        assertTrue(e.getMessage().contains("cqeSize is 96") && e.getMessage().contains("64 or 128"), e.getMessage());
    }

    @Test
    void largeCqesCarryA64BytePayloadInline() {
        CqRing cq = CqRing.allocate(arena, 4, Cqe.LARGE_SIZE);
        assertEquals(4 * 128, cq.entries().byteSize());
        assertEquals(3 * 128, cq.offsetOf(7));
        CqProducer producer = cq.producer();
        CqConsumer consumer = cq.consumer();
        Cqe w = cq.newCqe();
        Cqe r = cq.newCqe();
        assertEquals(96, w.maxInlineData());
        MemorySegment payload = arena.allocate(96);
        MemorySegment received = arena.allocate(96);
        for (int id = 0; id < 40; id++) {
            payload.fill((byte) id);
            long offset = producer.claim();
            assertEquals((id & 3) * 128L, offset);
            w.at(cq.entries(), offset).wrId(id).byteLen(64 + (id & 31)).wcFlags(Cqe.WC_FLAG_INLINE_SCATTER)
                    .inlineData(payload, 0, 64 + (id & 31));
            producer.publishOwnerRelease();
            long polled = consumer.pollAcquire();
            assertEquals(offset, polled);
            r.at(cq.entries(), polled);
            assertEquals(id, r.wrId());
            assertEquals(64 + (id & 31), r.inlineLen());
            received.fill((byte) -1);
            r.copyInlineData(received, 0, r.inlineLen());
            assertEquals(-1, received.asSlice(0, r.inlineLen()).mismatch(payload.asSlice(0, r.inlineLen())), "CQE " + id);
            assertEquals(Cqe.readOwnerOnce(cq.entries(), polled), RingMath.ownerBit(id, 2));
            consumer.advance();
            consumer.publishConsumerIndexRelease();
            assertEquals(CqConsumer.CQ_EMPTY, consumer.pollAcquire());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.inlineData(payload, 0, 97));
        assertTrue(e.getMessage().contains("length is 97") && e.getMessage().contains("[0, 96]"), e.getMessage());
    }
}
