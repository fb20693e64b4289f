package dev.qpair.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AccessFlagsTest {

    @Test
    void flagsHaveTheIbvAccessFlagsValues() {
        assertEquals(1, AccessFlags.LOCAL_WRITE);
        assertEquals(2, AccessFlags.REMOTE_WRITE);
        assertEquals(4, AccessFlags.REMOTE_READ);
        assertEquals(8, AccessFlags.REMOTE_ATOMIC);
    }

    @Test
    void everyCombinationFollowsTheIbtaRule() {
        for (int flags = 0; flags < 16; flags++) {
            boolean needsLocalWrite = (flags & (AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_ATOMIC)) != 0;
            if (needsLocalWrite && (flags & AccessFlags.LOCAL_WRITE) == 0) {
                int f = flags;
                assertThrows(IllegalArgumentException.class, () -> AccessFlags.checkRegistration(f, "access"),
                        AccessFlags.toString(flags));
            } else {
                assertEquals(flags, AccessFlags.checkRegistration(flags, "access"));
            }
        }
    }

    @Test
    void namesReadLikeVerbs() {
        assertEquals("0", AccessFlags.toString(0));
        assertEquals("LOCAL_WRITE|REMOTE_READ", AccessFlags.toString(5));
        assertEquals("REMOTE_WRITE|0x40", AccessFlags.toString(0x42));
        assertEquals("STALE_KEY", AccessStatus.name(AccessStatus.STALE_KEY));
        assertEquals("UNKNOWN(42)", AccessStatus.name(42));
    }
}
