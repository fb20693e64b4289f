package dev.qpair.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RingMathTest {

    @Test
    void capacityMustBeAPowerOfTwoWithinTheLimit() {
        assertEquals(0, RingMath.checkCapacity("sqCapacity", 1, 1024));
        assertEquals(10, RingMath.checkCapacity("sqCapacity", 1024, 1024));
        assertEquals(24, RingMath.checkCapacity("c", RingMath.MAX_CAPACITY, RingMath.MAX_CAPACITY));
        for (int bad : new int[] {0, -4, 3, 1000, 2048, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RingMath.checkCapacity("sqCapacity", bad, 1024));
            assertTrue(e.getMessage().contains("sqCapacity is " + bad), e.getMessage());
            assertTrue(e.getMessage().contains("[1, 1024]"), e.getMessage());
        }
    }

    @Test
    void theLimitItselfIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RingMath.checkCapacity("cq", 8, RingMath.MAX_CAPACITY * 2));
        assertTrue(e.getMessage().contains(String.valueOf(RingMath.MAX_CAPACITY * 2)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RingMath.checkCapacity("cq", 8, 24));
    }

    @Test
    void roundsUpToPowersOfTwo() {
        assertEquals(1, RingMath.roundUpToPowerOfTwo(1));
        assertEquals(2, RingMath.roundUpToPowerOfTwo(2));
        assertEquals(4, RingMath.roundUpToPowerOfTwo(3));
        assertEquals(64, RingMath.roundUpToPowerOfTwo(33));
        assertEquals(1 << 30, RingMath.roundUpToPowerOfTwo((1 << 29) + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RingMath.roundUpToPowerOfTwo(0));
        assertTrue(e.getMessage().contains("n is 0"), e.getMessage());
    }

    @Test
    void occupancyIsRightAcrossTheCounterWrap() {
        int consumer = -3;             // 0xfffffffd: three before the wrap
        int producer = consumer + 7;   // 4, after the wrap
        assertEquals(4, producer);
        assertEquals(7, RingMath.used(producer, consumer));
        assertEquals(1, RingMath.free(8, producer, consumer));
        assertTrue(RingMath.hasRoom(8, producer, consumer, 1));
        assertFalse(RingMath.hasRoom(8, producer, consumer, 2));
        assertTrue(RingMath.isBefore(consumer, producer));
        assertFalse(RingMath.isBefore(producer, consumer));
        assertEquals(0, RingMath.used(Integer.MIN_VALUE, Integer.MIN_VALUE));
        assertEquals(1, RingMath.used(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void slotsWrapWithTheCounter() {
        int mask = 7;
        assertEquals(7, RingMath.slot(-1, mask));
        assertEquals(0, RingMath.slot(0, mask));
        assertEquals(5, RingMath.slot(-3, mask));
    }

    @Test
    void ownerBitIsOneOnTheFirstLapAndFlipsEveryLap() {
        int log2 = 3;
        for (int i = 0; i < 8; i++) {
            assertEquals(1, RingMath.ownerBit(i, log2), "lap 0, index " + i);
            assertEquals(0, RingMath.ownerBit(i + 8, log2), "lap 1, index " + (i + 8));
            assertEquals(1, RingMath.ownerBit(i + 16, log2), "lap 2, index " + (i + 16));
        }
    }

    @Test
    void ownerBitParityContinuesAcrossTheCounterWrap() {
        for (int log2 : new int[] {0, 3, 10, 24}) {
            int capacity = 1 << log2;
            int lastLapStart = -capacity;  // the last lap before 2^32
            assertEquals(RingMath.ownerBit(lastLapStart, log2) ^ 1, RingMath.ownerBit(0, log2), "log2 " + log2);
            assertEquals(RingMath.ownerBit(-1, log2) ^ 1, RingMath.ownerBit(0, log2), "log2 " + log2);
            assertEquals(1, RingMath.ownerBit(0, log2));
        }
        assertEquals(0, RingMath.ownerBit(-1, 0));
        assertEquals(1, RingMath.ownerBit(-2, 0));
    }
}
