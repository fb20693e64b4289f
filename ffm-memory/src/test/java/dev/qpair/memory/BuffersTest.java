package dev.qpair.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class BuffersTest {

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void buffersAreAlignedAndZeroedForEveryAlignment() {
        for (Alignment alignment : Alignment.values()) {
            try (AlignedBuffer b = AlignedBuffer.allocate(3 * 4096 + 5, alignment)) {
                assertEquals(0, b.segment().address() % alignment.bytes(), alignment.name());
                assertEquals(3 * 4096 + 5, b.byteSize());
                assertEquals(0, b.segment().get(ValueLayout.JAVA_BYTE, b.byteSize() - 1));
                assertEquals(DeviceId.HOST, b.owner());
                assertTrue(b.isLocalTo(DeviceId.HOST));
                assertEquals(alignment, b.alignment());
            }
        }
    }

    @Test
    void badSizesAreRefusedNamingTheArgumentAndTheLimit() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> AlignedBuffer.allocate(0, Alignment.PAGE)),
                "byteSize = 0", "[1, " + AlignedBuffer.MAX_BYTE_SIZE + "]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> AlignedBuffer.allocate(AlignedBuffer.MAX_BYTE_SIZE + 1, Alignment.PAGE)), "byteSize = ");
        assertMessage(assertThrows(NullPointerException.class, () -> AlignedBuffer.allocate(64, null)), "alignment");
    }

    @Test
    void closingARegisteredBufferIsRefusedUntilTheRegionIsDeregistered() {
        AlignedBuffer b = AlignedBuffer.allocate(8192, Alignment.PAGE);
        ProtectionDomain pd = KeyTable.create(16).allocPd();
        MemoryRegion mr = pd.regMr(b, AccessFlags.LOCAL_WRITE);
        assertEquals(1, b.registrationCount());
        IllegalStateException e = assertThrows(IllegalStateException.class, b::close);
        assertMessage(e, "still registered by 1", String.format("lkey 0x%08x", mr.lkey()));
        assertTrue(b.isOpen());
        b.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
        mr.deregister();
        assertEquals(0, b.registrationCount());
        b.close();
        assertFalse(b.isOpen());
        b.close();
        assertThrows(IllegalStateException.class, () -> b.segment().get(ValueLayout.JAVA_LONG, 0));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> pd.regMr(b, 0)), "closed");
    }

    @Test
    void deviceMemoryRecordsItsOwner() {
        DeviceId nvme0 = new DeviceId("nvme0");
        try (DeviceMemory cmb = DeviceMemory.allocate(nvme0, DeviceMemory.Kind.CONTROLLER_MEMORY_BUFFER, 2 * 4096)) {
            assertEquals(nvme0, cmb.owner());
            assertTrue(cmb.isLocalTo(new DeviceId("nvme0")));
            assertFalse(cmb.isLocalTo(DeviceId.HOST));
            assertEquals(DeviceMemory.Kind.CONTROLLER_MEMORY_BUFFER, cmb.kind());
            assertEquals(0, cmb.segment().address() % 4096);
            assertEquals(8192, cmb.byteSize());
        }
    }

    @Test
    void deviceMemoryRefusesTheHostAndSizesThatAreNotBarPages() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> DeviceMemory.allocate(DeviceId.HOST, DeviceMemory.Kind.BAR, 4096)), "owner = host");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> DeviceMemory.allocate(new DeviceId("mlx5_0"), DeviceMemory.Kind.DOORBELL_PAGES, 4097)),
                "byteSize = 4097", "multiple of the 4096");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> DeviceMemory.allocate(new DeviceId("mlx5_0"), DeviceMemory.Kind.BAR, 0)),
                "byteSize = 0", "[4096, " + DeviceMemory.MAX_BYTE_SIZE + "]");
    }

    @Test
    void deviceIdsAreValidated() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DeviceId("")), "name = \"\"");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DeviceId("a b")), "name = \"a b\"");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new DeviceId("x".repeat(65))), "1 to 64");
        assertTrue(new DeviceId("0000:3b:00.0").name().contains(":"));
    }
}
