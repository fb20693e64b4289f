package dev.qpair.hca;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qpair.barriers.testing.FieldPadding;
import org.junit.jupiter.api.Test;

/**
 * The objects a message stores to keep their fields two 64-byte lines from any other object, so
 * that no placement the GC chooses puts a line another thread reads next to them.
 */
class EnginePaddingTest {

    @Test
    void cursorsAndResponderArePadded() {
        FieldPadding.assertPadded(Sgl.class, 128);
        FieldPadding.assertPadded(Responder.class, 128);
    }

    @Test
    void anUnpaddedClassFails() {
        assertThrows(AssertionError.class, () -> FieldPadding.assertPadded(PortAttributes.class, 128));
    }
}
