package dev.qpair.barriers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class BarriersTest {

    @Test
    void publicationAccessorsRoundTripAtTheirOffsets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(128, 128);
            Barriers.smpStoreReleaseInt(s, 0, 11);
            Barriers.writeOnceInt(s, 4, 22);
            Barriers.smpStoreReleaseLong(s, 64, 33L);
            Barriers.writeOnceLong(s, 72, 44L);
            assertEquals(11, Barriers.readOnceInt(s, 0));
            assertEquals(22, Barriers.smpLoadAcquireInt(s, 4));
            assertEquals(33L, Barriers.readOnceLong(s, 64));
            assertEquals(44L, Barriers.smpLoadAcquireLong(s, 72));
            assertEquals(0, Barriers.readOnceInt(s, 8), "no neighbouring word was written");
        }
    }

    @Test
    void misalignedPublicationIsRefusedByTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64, 64);
            assertThrows(IllegalArgumentException.class, () -> Barriers.smpStoreReleaseLong(s, 4, 1L));
            assertThrows(IndexOutOfBoundsException.class, () -> Barriers.smpLoadAcquireInt(s, 64));
        }
    }
}
